pub mod data;
pub mod files;
pub mod results;
pub mod taxonomy;
