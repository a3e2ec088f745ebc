pub mod data;
pub mod files;
pub mod profiles;
pub mod results;
pub mod taxonomy;
