// The share form says what the recipients will and will not see
// (templates/supervision/share_form.html). Without JavaScript it states both
// outcomes of "Include my self-disclosure"; here the lists follow the checkbox:
// the self-disclosure line shows in "They will see" when it is ticked and in
// "They will not see" when it is not, without its "only if you tick" clause.

const PREVIEW = "[data-share-preview]";

export function initSharePreview(scope = document) {
  for (const preview of scope.querySelectorAll(PREVIEW)) {
    const checkbox = document.getElementById(preview.dataset.sharePreview);
    if (!(checkbox instanceof HTMLInputElement) || preview.dataset.sharePreviewReady) {
      continue;
    }
    preview.dataset.sharePreviewReady = "true";
    for (const condition of preview.querySelectorAll("[data-share-preview-condition]")) {
      condition.hidden = true;
    }
    const follow = () => {
      const shown = checkbox.checked ? "included" : "left-out";
      for (const line of preview.querySelectorAll("[data-share-preview-when]")) {
        line.hidden = line.dataset.sharePreviewWhen !== shown;
      }
    };
    checkbox.addEventListener("change", follow);
    follow();
  }
}

initSharePreview(document);
