//! The query dialog's `localStorage` entries: the username, key and API base URL, only
//! while "Remember on this device" is ticked. Nothing is stored otherwise.
//!
//! Storage can be missing or throw (private windows, blocked site data), so every
//! function here degrades to "nothing stored" and logs the failure without the value.

use web_sys::Storage;

use domaincat_core::iris_api::Credentials;

const USERNAME_KEY: &str = "domaincat.iris.username";
const API_KEY_KEY: &str = "domaincat.iris.key";
const BASE_URL_KEY: &str = "domaincat.iris.baseUrl";

fn storage() -> Option<Storage> {
    match web_sys::window()?.local_storage() {
        Ok(storage) => storage,
        Err(err) => {
            log::warn!("localStorage is not available: {err:?}");
            None
        }
    }
}

fn read(name: &str) -> Option<String> {
    storage()?
        .get_item(name)
        .ok()
        .flatten()
        .filter(|v| !v.is_empty())
}

fn write(name: &str, value: &str) {
    if let Some(storage) = storage() {
        if storage.set_item(name, value).is_err() {
            log::warn!("could not store {name} in localStorage");
        }
    }
}

fn remove(name: &str) {
    if let Some(storage) = storage() {
        if storage.remove_item(name).is_err() {
            log::warn!("could not remove {name} from localStorage");
        }
    }
}

/// Returns the remembered username and key, when both are stored.
pub(super) fn remembered_credentials() -> Option<Credentials> {
    Some(Credentials {
        username: read(USERNAME_KEY)?,
        key: read(API_KEY_KEY)?,
    })
}

pub(super) fn remember_credentials(credentials: &Credentials) {
    write(USERNAME_KEY, &credentials.username);
    write(API_KEY_KEY, &credentials.key);
}

pub(super) fn forget_credentials() {
    remove(USERNAME_KEY);
    remove(API_KEY_KEY);
}

pub(super) fn remembered_base_url() -> Option<String> {
    read(BASE_URL_KEY)
}

pub(super) fn forget_base_url() {
    remove(BASE_URL_KEY);
}

/// Stores a base URL other than the default, or removes the setting for the default.
pub(super) fn remember_base_url(base_url: &str, default: &str) {
    if base_url.trim_end_matches('/') == default {
        remove(BASE_URL_KEY);
    } else {
        write(BASE_URL_KEY, base_url);
    }
}
