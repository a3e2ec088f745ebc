//! Client configuration: base URL, credentials, options.
