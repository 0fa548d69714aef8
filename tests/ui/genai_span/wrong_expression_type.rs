use genai_span::genai_span;

struct Call {
    id: u128,
}

#[genai_span(execute_tool, tool_call_id = call.id)]
async fn get_weather(call: &Call) {}

fn main() {}
