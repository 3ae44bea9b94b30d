//! The only module with `unsafe`: raw system calls and ioctls, each wrapped in a safe
//! function. Every `unsafe` block carries a `// SAFETY:` comment.

pub(crate) mod tun;
