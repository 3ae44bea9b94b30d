//! The ready-made operations with real packets (filled below).
