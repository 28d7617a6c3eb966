//! Each defect shows.
