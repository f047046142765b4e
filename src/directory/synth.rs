//! Synthetic directory data (filled in below).
