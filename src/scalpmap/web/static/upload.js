// scalpmap: upload several photos by drag and drop, each with its view and optional scale.
// Each photo goes to POST /api/cases/{id}/photos (cookie session + X-CSRF-Token header).
"use strict";

(function () {
  var zone = document.getElementById("dropzone");
  if (!zone) {
    return;
  }
  var input = document.getElementById("file-input");
  var table = document.getElementById("upload-queue");
  var body = table.querySelector("tbody");
  var actions = document.getElementById("upload-actions");
  var startButton = document.getElementById("upload-start");
  var clearButton = document.getElementById("upload-clear");
  var views = zone.dataset.views.split(",");
  var items = [];

  function guessView(name) {
    var lower = name.toLowerCase();
    for (var i = 0; i < views.length; i += 1) {
      if (lower.indexOf(views[i]) !== -1) {
        return views[i];
      }
    }
    return "front";
  }

  function cell(row, child) {
    var td = document.createElement("td");
    if (child) {
      td.appendChild(child);
    }
    row.appendChild(td);
    return td;
  }

  function refresh() {
    var any = items.length > 0;
    table.hidden = !any;
    actions.hidden = !any;
  }

  function addFile(file) {
    var row = document.createElement("tr");
    var figure = document.createElement("div");
    figure.className = "queue-file";
    var img = document.createElement("img");
    img.alt = "";
    img.className = "queue-thumb";
    img.src = URL.createObjectURL(file);
    img.addEventListener("error", function () { img.hidden = true; });
    var name = document.createElement("span");
    name.textContent = file.name + " (" + Math.round(file.size / 1024) + " KB)";
    figure.appendChild(img);
    figure.appendChild(name);
    cell(row, figure);

    var select = document.createElement("select");
    select.setAttribute("aria-label", "View of " + file.name);
    views.forEach(function (view) {
      var option = document.createElement("option");
      option.value = view;
      option.textContent = view.charAt(0).toUpperCase() + view.slice(1);
      select.appendChild(option);
    });
    select.value = guessView(file.name);
    cell(row, select);

    var scale = document.createElement("input");
    scale.type = "text";
    scale.inputMode = "decimal";
    scale.placeholder = "marker";
    scale.size = 8;
    scale.setAttribute("aria-label", "Scale in mm per pixel of " + file.name);
    cell(row, scale);

    var status = cell(row, null);
    status.textContent = "Ready";
    status.className = "queue-status";

    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-small btn-ghost";
    remove.textContent = "Remove";
    cell(row, remove);

    var item = { file: file, row: row, select: select, scale: scale, status: status, done: false };
    remove.addEventListener("click", function () {
      items = items.filter(function (other) { return other !== item; });
      row.remove();
      refresh();
    });
    items.push(item);
    body.appendChild(row);
    refresh();
  }

  function addFiles(files) {
    Array.prototype.forEach.call(files, addFile);
  }

  function setStatus(item, text, kind) {
    item.status.textContent = "";
    item.status.className = "queue-status " + (kind || "");
    if (text instanceof Node) {
      item.status.appendChild(text);
    } else {
      item.status.textContent = text;
    }
  }

  function uploadOne(item) {
    var form = new FormData();
    form.append("file", item.file);
    form.append("view", item.select.value);
    if (item.scale.value.trim()) {
      form.append("mm_per_px", item.scale.value.trim());
    }
    setStatus(item, "Uploading…", "busy");
    return fetch(zone.dataset.uploadUrl, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": window.scalpmapCsrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; },
          function () { return { ok: false, json: { detail: "HTTP " + response.status } }; });
      })
      .then(function (result) {
        if (!result.ok) {
          setStatus(item, result.json.detail || "upload failed", "error");
          return false;
        }
        var link = document.createElement("a");
        link.href = "/photos/" + result.json.id;
        link.textContent = "Uploaded · photo #" + result.json.id;
        setStatus(item, link, "ok");
        item.done = true;
        return true;
      })
      .catch(function (error) {
        setStatus(item, "network error: " + error.message, "error");
        return false;
      });
  }

  startButton.addEventListener("click", function () {
    startButton.disabled = true;
    var pending = items.filter(function (item) { return !item.done; });
    var allOk = true;
    pending.reduce(function (chain, item) {
      return chain.then(function () {
        return uploadOne(item).then(function (ok) { allOk = allOk && ok; });
      });
    }, Promise.resolve()).then(function () {
      startButton.disabled = false;
      if (allOk) {
        window.location.reload();
      }
    });
  });

  clearButton.addEventListener("click", function () {
    items = [];
    body.textContent = "";
    refresh();
  });

  zone.addEventListener("click", function () { input.click(); });
  zone.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
  input.addEventListener("change", function () {
    addFiles(input.files);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
    });
  });
  zone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files) {
      addFiles(event.dataTransfer.files);
    }
  });
})();
