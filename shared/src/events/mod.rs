//! Lenient Cognito event types: wrap `aws_lambda_events` where real events break it.
//! OWNER: sign-up events by H (`sign_up.rs`), token events by T (`token.rs`).
