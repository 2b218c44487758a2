//! The built-in simulated two-region estate.
