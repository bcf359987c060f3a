/* Storefront behaviour that HTMX does not cover: the SKU picker on the product page, tidy listing URLs,
 * 4xx swaps for cart messages, the pay countdown and the checkout address switch.
 * The SKU table comes from the page (json_script); prices stay strings, the browser never computes money. */
(function () {
  "use strict";

  function initPicker(root) {
    var dataEl = document.getElementById(root.dataset.skuData);
    if (!dataEl) return;
    var data = JSON.parse(dataEl.textContent);
    var priceEl = document.getElementById("sku-price");
    var stockEl = document.getElementById("sku-stock");
    var hintEl = document.getElementById("sku-hint");
    var initialPrice = priceEl.textContent;
    var initialStock = stockEl.textContent;
    var chips = Array.prototype.slice.call(root.querySelectorAll("[data-option]"));
    var chosen = {};

    function matches(sku, selection) {
      for (var name in selection) {
        if (sku.options[name] !== selection[name]) return false;
      }
      return true;
    }

    function inStock(selection) {
      return data.skus.some(function (sku) { return sku.stock > 0 && matches(sku, selection); });
    }

    function render() {
      chips.forEach(function (chip) {
        var trial = Object.assign({}, chosen);
        trial[chip.dataset.option] = chip.dataset.value;
        chip.disabled = !inStock(trial);  // sold out with what is already chosen
        chip.setAttribute("aria-pressed", chosen[chip.dataset.option] === chip.dataset.value ? "true" : "false");
      });
      var complete = data.names.every(function (name) { return name in chosen; });
      var sku = complete ? data.skus.find(function (s) { return matches(s, chosen); }) : null;
      if (sku) {
        priceEl.textContent = "¥" + sku.price;
        stockEl.textContent = sku.stock > 0 ? root.dataset.stockLabel.replace("%s", sku.stock) : root.dataset.soldOut;
        root.dataset.selectedSku = sku.id;
        if (hintEl) hintEl.hidden = true;
      } else {
        priceEl.textContent = initialPrice;
        stockEl.textContent = initialStock;
        delete root.dataset.selectedSku;
        if (hintEl) hintEl.hidden = false;
      }
      // the buy form posts the chosen SKU; its select is the no-script fallback the chips replace
      if (select) select.value = sku ? String(sku.id) : "";
    }

    var select = document.querySelector("[data-buy-form] [data-sku-select]");
    var selectLabel = document.querySelector("[data-sku-select-label]");
    if (selectLabel) selectLabel.hidden = true;

    chips.forEach(function (chip) {
      chip.addEventListener("click", function () {
        var name = chip.dataset.option;
        if (chosen[name] === chip.dataset.value) delete chosen[name];
        else chosen[name] = chip.dataset.value;
        render();
      });
    });
    render();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-sku-picker]"), initPicker);

  // Cart and buy messages come back with a 4xx status when refused (the right status for the request);
  // HTMX leaves error responses unswapped by default, so targets marked data-swap-errors opt in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if (status >= 400 && status < 500 && target && target.closest && target.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Pay deadline: counts down from the seconds the server computed (the browser's clock may be wrong).
  Array.prototype.forEach.call(document.querySelectorAll("[data-countdown]"), function (el) {
    var end = Date.now() + parseInt(el.dataset.seconds || "0", 10) * 1000;
    function pad(n) { return n < 10 ? "0" + n : String(n); }
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      el.textContent = left > 0 ? pad(Math.floor(left / 60)) + ":" + pad(left % 60) : el.dataset.expiredText;
      if (left > 0) window.setTimeout(tick, 1000);
    }
    tick();
  });

  // Checkout: the new-address fields only matter when "use a new address" is chosen.
  Array.prototype.forEach.call(document.querySelectorAll("[data-address-choices]"), function (box) {
    var fields = document.querySelector("[data-new-address]");
    if (!fields) return;
    function sync() {
      var chosen = box.querySelector("input:checked");
      fields.hidden = !!chosen && chosen.value !== "new";
    }
    box.addEventListener("change", sync);
    sync();
  });

  // Filter forms send every field; drop the empty ones so the pushed URL (and its pager links) stay short.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    var data = event.detail.formData;
    if (!form || !form.classList || !form.classList.contains("filters") || !data) return;
    var empty = [];
    data.forEach(function (value, key) { if (value === "") empty.push(key); });
    empty.forEach(function (key) { data.delete(key); });
  });
})();
