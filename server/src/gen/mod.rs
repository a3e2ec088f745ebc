pub mod data;
pub mod files;
pub mod profiles;
pub mod readlevel;
pub mod results;
pub mod taxonomy;
