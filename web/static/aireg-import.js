/* aireg-import.js - progressive enhancement of the import form (and of the
 * house-style form on the settings page): a file chosen
 * in the file field is read into the textarea (the server takes the text, it
 * parses no multipart uploads) and the format follows the file's extension.
 * Without JavaScript the file field stays hidden and pasting still works.
 * Messages come from data attributes, so they are in the page's language. */
(function () {
	"use strict";
	var MAX = 64 * 1024 * 1024; /* the server's import limit */
	var input = document.getElementById("bestand");
	if (!input || !window.FileReader) {
		return;
	}
	var field = document.getElementById("bestand-veld");
	var target = document.getElementById(input.getAttribute("data-target"));
	var status = document.getElementById(input.getAttribute("data-status"));
	if (!field || !target || !status) {
		return;
	}
	field.hidden = false;

	function say(text) {
		status.textContent = text;
	}

	input.addEventListener("change", function () {
		var file = input.files && input.files[0];
		if (!file) {
			return;
		}
		if (file.size > MAX) {
			say(input.getAttribute("data-msg-too-big"));
			return;
		}
		var reader = new FileReader();
		reader.onload = function () {
			target.value = String(reader.result).replace(/^\uFEFF/, "");
			var csv = /\.csv$/i.test(file.name) || file.type === "text/csv";
			var radio = document.getElementById(csv ? "format-csv" : "format-json");
			if (radio) {
				radio.checked = true;
			}
			say(input.getAttribute("data-msg-loaded") + " " + file.name);
		};
		reader.onerror = function () {
			say(input.getAttribute("data-msg-failed"));
		};
		reader.readAsText(file, "utf-8");
	});
}());
