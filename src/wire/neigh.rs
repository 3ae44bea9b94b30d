//! placeholder, replaced by the neigh family codec.
