//! `Setup::install` when the application already set a global subscriber: a clean error, and
//! nothing left running. (Its own binary: the global subscriber is set once per process.)

use genai_span::setup::{Setup, SetupError};

#[test]
fn install_fails_cleanly_when_another_global_subscriber_is_set() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry())
        .expect("the first global subscriber");
    let result = Setup::new().terminal_view(false).install();
    assert!(
        matches!(result, Err(SetupError::SubscriberAlreadySet)),
        "{result:?}"
    );
    // Not an `AlreadyInstalled` the next time: nothing was installed.
    let again = Setup::new().terminal_view(false).install();
    assert!(
        matches!(again, Err(SetupError::SubscriberAlreadySet)),
        "{again:?}"
    );
}
