//! The reference receiver: a webhook endpoint that meets every MUST and SHOULD of SPEC §3.
