//! Handles to the elements of the "Query Iris…" dialog and the functions that fill
//! them. Text from the network or from the analyst is set with `textContent` only,
//! because API messages and pasted entries are not trusted markup.

use web_sys::{
    Document, Element, HtmlButtonElement, HtmlDetailsElement, HtmlDialogElement, HtmlElement,
    HtmlInputElement, HtmlTextAreaElement,
};

use domaincat_core::domain_list::RejectedEntry;

use crate::ui::by_id;

/// The dialog's elements, found once by id.
#[derive(Clone)]
pub(super) struct View {
    document: Document,
    pub open: HtmlButtonElement,
    pub dialog: HtmlDialogElement,
    pub username: HtmlInputElement,
    pub key: HtmlInputElement,
    pub remember: HtmlInputElement,
    pub forget: HtmlButtonElement,
    pub domains: HtmlTextAreaElement,
    pub search_hash: HtmlInputElement,
    pub settings: HtmlDetailsElement,
    pub base_url: HtmlInputElement,
    pub run: HtmlButtonElement,
    pub cancel: HtmlButtonElement,
    pub retry: HtmlButtonElement,
    pub score: HtmlButtonElement,
    pub save: HtmlButtonElement,
    pub close: HtmlButtonElement,
    status: HtmlElement,
    progress: HtmlElement,
    error: HtmlElement,
    rejected_block: HtmlElement,
    rejected_count: HtmlElement,
    rejected_list: HtmlElement,
    missing_block: HtmlElement,
    missing_count: HtmlElement,
    missing_list: HtmlElement,
}

impl View {
    /// Finds every element, failing with the id of the first one missing.
    pub fn find(document: &Document) -> Result<Self, String> {
        Ok(View {
            document: document.clone(),
            open: by_id(document, "query-open")?,
            dialog: by_id(document, "query-dialog")?,
            username: by_id(document, "query-username")?,
            key: by_id(document, "query-key")?,
            remember: by_id(document, "query-remember")?,
            forget: by_id(document, "query-forget")?,
            domains: by_id(document, "query-domains")?,
            search_hash: by_id(document, "query-hash")?,
            settings: by_id(document, "query-settings")?,
            base_url: by_id(document, "query-base-url")?,
            run: by_id(document, "query-run")?,
            cancel: by_id(document, "query-cancel")?,
            retry: by_id(document, "query-retry")?,
            score: by_id(document, "query-score")?,
            save: by_id(document, "query-save")?,
            close: by_id(document, "query-close")?,
            status: by_id(document, "query-status")?,
            progress: by_id(document, "query-progress")?,
            error: by_id(document, "query-error")?,
            rejected_block: by_id(document, "query-rejected-block")?,
            rejected_count: by_id(document, "query-rejected-count")?,
            rejected_list: by_id(document, "query-rejected")?,
            missing_block: by_id(document, "query-missing-block")?,
            missing_count: by_id(document, "query-missing-count")?,
            missing_list: by_id(document, "query-missing")?,
        })
    }

    pub fn set_status(&self, text: &str) {
        self.status.set_text_content(Some(text));
    }

    pub fn show_error(&self, text: &str) {
        self.error.set_text_content(Some(text));
        self.error.set_hidden(false);
    }

    pub fn hide_error(&self) {
        self.error.set_text_content(None);
        self.error.set_hidden(true);
    }

    /// Switches the buttons between a running query and an idle panel.
    pub fn set_running(&self, running: bool) {
        self.progress.set_hidden(!running);
        self.run.set_disabled(running);
        self.cancel.set_disabled(!running);
        let busy = if running { "true" } else { "false" };
        let _ = self.status.set_attribute("aria-busy", busy);
        if running {
            self.retry.set_hidden(true);
            self.score.set_hidden(true);
        }
    }

    /// Shows the "Retry remaining" and "Graph records so far" buttons after a query
    /// stopped before its end.
    pub fn set_resumable(&self, resumable: bool, has_records: bool) {
        self.retry.set_hidden(!resumable);
        self.score.set_hidden(!(resumable && has_records));
    }

    pub fn set_saveable(&self, saveable: bool) {
        self.save.set_disabled(!saveable);
    }

    pub fn show_rejected(&self, rejected: &[RejectedEntry]) {
        self.rejected_list.set_text_content(None);
        self.rejected_count
            .set_text_content(Some(&rejected.len().to_string()));
        self.rejected_block.set_hidden(rejected.is_empty());
        for entry in rejected {
            if let Some(item) = self.append(&self.rejected_list, "li", &entry.entry) {
                let _ = item.set_attribute("data-entry", &entry.entry);
                if let Some(span) = self.append(&item, "span", &format!(" — {}", entry.reason)) {
                    span.set_class_name("reason");
                }
            }
        }
    }

    pub fn show_missing(&self, missing: &[String]) {
        self.missing_list.set_text_content(None);
        self.missing_count
            .set_text_content(Some(&missing.len().to_string()));
        self.missing_block.set_hidden(missing.is_empty());
        for name in missing {
            // The API's names are not checked: invisible and right-to-left characters
            // are shown as `\u{…}` escapes, as in the input-problem list.
            self.append(&self.missing_list, "li", &name.escape_debug().to_string());
        }
    }

    fn append(&self, parent: &Element, tag: &str, text: &str) -> Option<Element> {
        let child = self.document.create_element(tag).ok()?;
        child.set_text_content(Some(text));
        parent.append_child(&child).ok()?;
        Some(child)
    }
}
