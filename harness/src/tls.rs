//! TLS for the reference receiver: certificates from PEM files or generated self-signed.
