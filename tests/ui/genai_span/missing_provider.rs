use genai_span::genai_span;

#[genai_span(invoke_agent, agent_name = "planner")]
async fn run() {}

fn main() {}
