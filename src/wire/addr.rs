//! placeholder, replaced by the addr family codec.
