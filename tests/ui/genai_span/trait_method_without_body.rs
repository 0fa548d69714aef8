use genai_span::genai_span;

trait Tool {
    #[genai_span(execute_tool)]
    async fn call(&self);
}

fn main() {}
