use genai_span::genai_span;

struct Args {
    city: String,
}

#[genai_span(execute_tool, arguments = args)]
fn get_weather(args: &Args) -> String {
    args.city.clone()
}

fn main() {}
