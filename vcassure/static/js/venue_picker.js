/* The venue picker (vcassure.venues.forms.VenuePickerWidget): a tree of units with checkboxes and
   counts, a search by name, code or pinyin, system and level filters, and the chosen set summarised
   by unit. Keeps the chosen ids in the widget's hidden input ("12,15,40"); the form posts that.
   No framework, no eval, no inline styles (the Content-Security-Policy allows neither). */
(function () {
  "use strict";

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_m, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : "";
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; }
      else if (key === "className") { node.className = attrs[key]; }
      else if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) {
        node.setAttribute(key, attrs[key] === true ? "" : attrs[key]);
      }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function Picker(root) {
    this.root = root;
    this.input = root.querySelector("[data-vp-value]");
    this.search = root.querySelector("[data-vp-search]");
    this.tree = root.querySelector("[data-vp-tree]");
    this.chosenBox = root.querySelector("[data-vp-chosen]");
    this.levelsBox = root.querySelector("[data-vp-levels]");
    this.systemSelect = root.querySelector("[data-vp-system]");
    this.text = JSON.parse(root.querySelector("script[type='application/json']").textContent);
    var fieldId = root.getAttribute("data-system-field");
    this.systemField = fieldId ? document.getElementById(fieldId) : null;
    this.chosen = new Set(this.input.value.split(",").filter(Boolean).map(Number));
    this.expanded = new Set();
    this.openGroups = new Set();
    this.levels = null; // Set of levels shown; null before the data arrives
    this.query = "";
    this.note = "";
    this.units = new Map();
    this.venues = new Map();
    this.roots = [];
    this.loaded = false;
    this.bind();
    this.load(true);
  }

  Picker.prototype.bind = function () {
    var self = this;
    var timer = null;
    this.search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.setQuery(self.search.value); }, 120);
    });
    this.search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); self.setQuery(self.search.value); }
    });
    if (this.systemField) {
      this.systemField.addEventListener("change", function () { self.load(false); });
    } else {
      this.systemSelect.addEventListener("change", function () { self.render(); });
    }
    this.levelsBox.addEventListener("change", function (event) {
      var box = event.target;
      if (box.matches("input[type=checkbox]")) {
        if (box.checked) { self.levels.add(box.value); } else { self.levels.delete(box.value); }
        self.render();
      }
    });
    this.tree.addEventListener("click", function (event) {
      var toggle = event.target.closest(".vp-toggle");
      if (toggle) { self.toggle(Number(toggle.getAttribute("data-unit")), toggle); }
    });
    this.tree.addEventListener("change", function (event) {
      var box = event.target;
      if (!box.matches("input[type=checkbox]")) { return; }
      if (box.hasAttribute("data-venue")) {
        var id = Number(box.getAttribute("data-venue"));
        if (box.checked) { self.chosen.add(id); } else { self.chosen.delete(id); }
      } else {
        self.chooseUnder(Number(box.getAttribute("data-unit")));
      }
      self.changed(box.getAttribute("data-key"));
    });
    this.tree.addEventListener("keydown", function (event) {
      var box = event.target;
      if (!box.matches || !box.matches("input[data-unit]")) { return; }
      var unit = Number(box.getAttribute("data-unit"));
      if (event.key === "Enter" || (event.key === "ArrowRight" && !self.expanded.has(unit)) ||
          (event.key === "ArrowLeft" && self.expanded.has(unit))) {
        event.preventDefault();
        self.toggle(unit, box);
      }
    });
    this.chosenBox.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target) { return; }
      if (target.hasAttribute("data-chip")) { self.removeChip(target); }
      else if (target.hasAttribute("data-group")) {
        var key = Number(target.getAttribute("data-group"));
        if (self.openGroups.has(key)) { self.openGroups.delete(key); } else { self.openGroups.add(key); }
        self.renderChosen(target.getAttribute("data-key"));
      } else if (target.hasAttribute("data-remove-group")) {
        var group = Number(target.getAttribute("data-remove-group"));
        self.groupVenues(group).forEach(function (id) { self.chosen.delete(id); });
        self.changed(null);
      } else if (target.hasAttribute("data-clear")) {
        self.chosen.clear();
        self.changed(null);
      }
    });
    this.chosenBox.addEventListener("keydown", function (event) {
      var target = event.target;
      if (target.hasAttribute && target.hasAttribute("data-chip") &&
          (event.key === "Delete" || event.key === "Backspace")) {
        event.preventDefault();
        self.removeChip(target);
      }
    });
  };

  Picker.prototype.system = function () {
    if (this.systemField) { return this.systemField.value; }
    return "";
  };

  Picker.prototype.load = function (initial) {
    var self = this;
    if (this.systemField && !this.systemField.value) {
      this.loaded = false;
      this.tree.replaceChildren(el("p", { className: "muted", text: this.text.chooseSystem }));
      this.renderChosen(null);
      return;
    }
    var params = new URLSearchParams({ system: this.system(), role: this.root.getAttribute("data-role") || "" });
    fetch(this.root.getAttribute("data-url") + "?" + params.toString(), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      self.setData(data, initial);
    }).catch(function () {
      self.tree.replaceChildren(el("p", { className: "errorlist", text: self.text.loadFailed }));
    });
  };

  Picker.prototype.setData = function (data, initial) {
    var self = this;
    this.units = new Map();
    this.venues = new Map();
    this.roots = [];
    var levelNames = new Map(data.levels);
    var present = new Set();
    data.units.forEach(function (row, index) {
      var parent = row[1] === null ? null : self.units.get(row[1]) || null;
      var unit = { id: row[0], parent: parent, name: row[2], level: row[3], keys: row[4], order: index,
                   children: [], venues: [], depth: parent ? parent.depth + 1 : 0 };
      self.units.set(unit.id, unit);
      if (parent) { parent.children.push(unit); } else { self.roots.push(unit); }
    });
    data.venues.forEach(function (row) {
      var unit = self.units.get(row[3]);
      if (!unit) { return; }
      var venue = { id: row[0], name: row[1], code: row[2], unit: unit, system: row[4], keys: row[5] };
      self.venues.set(venue.id, venue);
      unit.venues.push(venue);
      present.add(unit.level);
    });
    // the top unit of the summary: the unit just below the top of what this user sees
    this.units.forEach(function (unit) {
      var group = unit;
      while (group.parent && group.parent.parent) { group = group.parent; }
      unit.group = group;
    });
    var dropped = 0;
    this.chosen.forEach(function (id) {
      if (!self.venues.has(id)) { self.chosen.delete(id); dropped += 1; }
    });
    this.note = dropped ? fill(this.text.dropped, { n: dropped }) : "";
    if (!initial || !this.levels) {
      var previous = this.levels;
      this.levels = new Set();
      present.forEach(function (level) { if (!previous || previous.has(level)) { self.levels.add(level); } });
      if (!this.levels.size) { present.forEach(function (level) { self.levels.add(level); }); }
    }
    this.levelsBox.querySelectorAll("label").forEach(function (label) { label.remove(); });
    data.levels.forEach(function (pair) {
      if (!present.has(pair[0])) { return; }
      var box = el("input", { type: "checkbox", value: pair[0], checked: self.levels.has(pair[0]) });
      self.levelsBox.appendChild(el("label", {}, [box, document.createTextNode(" " + levelNames.get(pair[0]))]));
    });
    this.levelsBox.hidden = present.size < 2;
    if (!this.systemField) {
      var wrap = this.root.querySelector("[data-vp-system-wrap]");
      if (this.systemSelect.options.length === 1) {
        data.systems.forEach(function (pair) {
          self.systemSelect.appendChild(el("option", { value: pair[0], text: pair[1] }));
        });
      }
      wrap.hidden = false;
    }
    this.expanded = new Set(this.roots.map(function (u) { return u.id; }));
    this.loaded = true;
    if (dropped) { this.sync(); }
    this.setQuery(this.search.value);
  };

  function textMatch(item, query, lower) {
    if (item.name.indexOf(query) !== -1) { return true; }
    if (item.code && item.code.toLowerCase().indexOf(lower) !== -1) { return true; }
    return /^[a-z0-9]+$/.test(lower) && item.keys.indexOf(lower) !== -1;
  }

  Picker.prototype.setQuery = function (value) {
    this.query = value.trim();
    if (!this.loaded) { return; }
    var self = this;
    this.unitHit = new Set();
    this.venueHit = new Set();
    if (this.query) {
      var lower = this.query.toLowerCase().replace(/\s+/g, "");
      var query = this.query;
      this.expanded = new Set(this.roots.map(function (u) { return u.id; }));
      this.units.forEach(function (unit) {
        if (textMatch(unit, query, lower)) {
          self.unitHit.add(unit.id);
          for (var up = unit.parent; up; up = up.parent) { self.expanded.add(up.id); }
        }
      });
      this.venues.forEach(function (venue) {
        if (textMatch(venue, query, lower)) {
          self.venueHit.add(venue.id);
          for (var up = venue.unit; up; up = up.parent) { self.expanded.add(up.id); }
        }
      });
    } else {
      this.expanded.forEach(function (id) { if (!self.units.has(id)) { self.expanded.delete(id); } });
    }
    this.render();
  };

  // Whether a venue passes the filters (system, level, search: its own name or a place above it).
  Picker.prototype.passes = function (venue) {
    if (this.levels && !this.levels.has(venue.unit.level)) { return false; }
    if (!this.systemField && this.systemSelect.value && venue.system !== this.systemSelect.value) { return false; }
    if (!this.query) { return true; }
    if (this.venueHit.has(venue.id)) { return true; }
    for (var up = venue.unit; up; up = up.parent) { if (this.unitHit.has(up.id)) { return true; } }
    return false;
  };

  Picker.prototype.count = function () {
    var self = this;
    this.total = new Map();
    this.picked = new Map();
    this.venues.forEach(function (venue) {
      if (!self.passes(venue)) { return; }
      var chosen = self.chosen.has(venue.id);
      for (var up = venue.unit; up; up = up.parent) {
        self.total.set(up.id, (self.total.get(up.id) || 0) + 1);
        if (chosen) { self.picked.set(up.id, (self.picked.get(up.id) || 0) + 1); }
      }
    });
  };

  Picker.prototype.chooseUnder = function (unitId) {
    var self = this;
    var all = (this.picked.get(unitId) || 0) === (this.total.get(unitId) || 0);
    var unit = this.units.get(unitId);
    (function walk(node) {
      node.venues.forEach(function (venue) {
        if (!self.passes(venue)) { return; }
        if (all) { self.chosen.delete(venue.id); } else { self.chosen.add(venue.id); }
      });
      node.children.forEach(walk);
    })(unit);
  };

  Picker.prototype.toggle = function (unitId, focusFrom) {
    if (this.expanded.has(unitId)) { this.expanded.delete(unitId); } else { this.expanded.add(unitId); }
    this.renderTree(focusFrom ? focusFrom.getAttribute("data-key") : null);
  };

  Picker.prototype.sync = function () {
    this.input.value = Array.from(this.chosen).join(",");
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
  };

  Picker.prototype.changed = function (focusKey) {
    this.sync();
    this.render(focusKey);
  };

  Picker.prototype.render = function (focusKey) {
    if (!this.loaded) { return; }
    this.count();
    this.renderTree(focusKey);
    this.renderChosen(focusKey);
  };

  Picker.prototype.renderTree = function (focusKey) {
    var self = this;
    var text = this.text;
    var rows = document.createDocumentFragment();
    var shown = 0;
    function unitRow(unit) {
      var total = self.total.get(unit.id) || 0;
      if (!total) { return; }
      var picked = self.picked.get(unit.id) || 0;
      var open = self.expanded.has(unit.id);
      var hasInside = unit.children.length > 0 || unit.venues.length > 0;
      var box = el("input", { type: "checkbox", "data-unit": unit.id, "data-key": "u" + unit.id,
                              checked: total > 0 && picked === total, "aria-expanded": hasInside ? String(open) : null });
      box.indeterminate = picked > 0 && picked < total;
      rows.appendChild(el("div", { className: "vp-row vp-unit depth-" + Math.min(unit.depth, 5) + (self.unitHit.has(unit.id) ? " vp-hit" : "") }, [
        el("button", { type: "button", className: "vp-toggle", "data-unit": unit.id, "data-key": "t" + unit.id,
                       tabindex: "-1", "aria-hidden": "true", text: open ? "\u25BE" : "\u25B8" }),
        el("label", { className: "vp-name" }, [box, document.createTextNode(" " + unit.name)]),
        el("span", { className: "vp-count" + (picked ? " some" : ""), title: fill(text.count, { chosen: picked, total: total }),
                     text: picked + "/" + total })
      ]));
      shown += 1;
      if (!open) { return; }
      unit.children.forEach(unitRow);
      unit.venues.forEach(function (venue) {
        if (!self.passes(venue)) { return; }
        rows.appendChild(el("div", { className: "vp-row vp-venue depth-" + Math.min(unit.depth + 1, 5) + (self.venueHit.has(venue.id) ? " vp-hit" : "") }, [
          el("label", { className: "vp-name" }, [
            el("input", { type: "checkbox", "data-venue": venue.id, "data-key": "v" + venue.id, checked: self.chosen.has(venue.id) }),
            document.createTextNode(" " + venue.name + " "),
            el("span", { className: "muted", text: venue.code })
          ])
        ]));
        shown += 1;
      });
    }
    this.roots.forEach(unitRow);
    if (!shown) { rows.appendChild(el("p", { className: "muted", text: text.noMatch })); }
    this.tree.replaceChildren(rows);
    this.refocus(this.tree, focusKey);
  };

  Picker.prototype.groupVenues = function (groupId) {
    var ids = [];
    var self = this;
    this.chosen.forEach(function (id) {
      var venue = self.venues.get(id);
      if (venue && venue.unit.group.id === groupId) { ids.push(id); }
    });
    return ids;
  };

  Picker.prototype.renderChosen = function (focusKey) {
    var self = this;
    var text = this.text;
    var box = document.createDocumentFragment();
    var groups = new Map();
    this.chosen.forEach(function (id) {
      var venue = self.venues.get(id);
      if (!venue) { return; }
      var key = venue.unit.group.id;
      if (!groups.has(key)) { groups.set(key, []); }
      groups.get(key).push(venue);
    });
    var head = el("div", { className: "vp-chosen-head" }, [
      el("strong", { "data-vp-total": this.chosen.size, text: this.chosen.size ? fill(text.total, { n: this.chosen.size }) : text.none })
    ]);
    if (this.chosen.size) {
      head.appendChild(el("button", { type: "button", className: "link", "data-clear": true, "data-key": "clear", text: text.clear }));
    }
    box.appendChild(head);
    if (this.note) { box.appendChild(el("p", { className: "muted", text: this.note })); }
    var list = el("ul", { className: "vp-groups" });
    Array.from(groups.keys()).sort(function (a, b) {
      return self.units.get(a).order - self.units.get(b).order;
    }).forEach(function (key) {
      var unit = self.units.get(key);
      var venues = groups.get(key);
      var open = self.openGroups.has(key);
      var item = el("li", { className: "vp-group", "data-group-unit": key }, [
        el("button", { type: "button", className: "vp-group-toggle", "data-group": key, "data-key": "g" + key,
                       "aria-expanded": String(open), "aria-label": fill(open ? text.collapse : text.expand, { name: unit.name }) }, [
          el("span", { text: (open ? "\u25BE " : "\u25B8 ") + unit.name }),
          el("span", { className: "badge", text: String(venues.length) })
        ]),
        el("button", { type: "button", className: "vp-group-remove", "data-remove-group": key, "data-key": "r" + key,
                       "aria-label": fill(text.removeGroup, { name: unit.name }), text: "\u00D7" })
      ]);
      if (open) {
        var chips = el("div", { className: "vp-chips" });
        venues.forEach(function (venue) {
          chips.appendChild(el("button", { type: "button", className: "vp-chip", "data-chip": venue.id, "data-key": "c" + venue.id,
                                           "aria-label": fill(text.remove, { name: venue.name }), title: venue.code }, [
            el("span", { text: venue.name }), el("span", { className: "vp-x", "aria-hidden": "true", text: "\u00D7" })
          ]));
        });
        item.appendChild(chips);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    this.chosenBox.replaceChildren(box);
    this.refocus(this.chosenBox, focusKey);
  };

  Picker.prototype.removeChip = function (chip) {
    // Focus goes to the next chip, else the previous one, else the group's toggle.
    var next = chip.nextElementSibling || chip.previousElementSibling;
    var venue = this.venues.get(Number(chip.getAttribute("data-chip")));
    var focusKey = next ? next.getAttribute("data-key") : (venue ? "g" + venue.unit.group.id : "clear");
    this.chosen.delete(Number(chip.getAttribute("data-chip")));
    this.changed(focusKey);
    if (!this.root.contains(document.activeElement) || document.activeElement === document.body) {
      this.search.focus();
    }
  };

  Picker.prototype.refocus = function (container, key) {
    if (!key) { return; }
    var target = container.querySelector('[data-key="' + key + '"]');
    if (target) { target.focus(); }
  };

  function start() {
    document.querySelectorAll("[data-venue-picker]").forEach(function (root) {
      if (!root.vcaPicker) { root.vcaPicker = new Picker(root); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
