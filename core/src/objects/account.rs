//! The account of the key in use (`/api/v1/account`).

use crate::error::{Error, Result};
use crate::http::session::Api;
use crate::http::transport::Transport;
use serde_json::Value;

pub async fn account<T: Transport>(api: &Api<T>) -> Result<Value> {
    let account = api.get_json("/api/v1/account", "Reading the account").await?;
    if !account.get("user").is_some_and(Value::is_object) {
        return Err(Error::invalid_response("the account: the server sent one without a user"));
    }
    Ok(account)
}
