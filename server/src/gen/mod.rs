pub mod data;
pub mod files;
pub mod readlevel;
pub mod results;
pub mod taxonomy;
