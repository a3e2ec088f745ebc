//! Downloads: the pre-signed link of an object (`link`), then the transfer engine (`transfer`).

pub mod link;
pub mod transfer;
