//! Tests of the conforming receiver.
