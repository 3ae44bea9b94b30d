//! placeholder, replaced by the route family codec.
