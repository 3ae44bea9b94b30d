//! virtlet's VM-side networking (in progress).
