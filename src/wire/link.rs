//! placeholder, replaced by the link family codec.
