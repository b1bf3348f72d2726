// A passkey's form (templates/registration/_passkey_form.html): on sending, ask the browser for a new
// passkey (data-mode="create") or for one of the person's passkeys (data-mode="get") with the options of
// <script id="passkey-options" type="application/json">, put its answer (JSON, base64url as py_webauthn
// reads it) into the hidden field `credential`, and send the form. The server checks it all.
(function () {
  "use strict";
  var form = document.querySelector("form.passkey-form");
  var optionsElement = document.getElementById("passkey-options");
  if (!form || !optionsElement) return;
  var problem = form.querySelector(".passkey-problem");

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBytes(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function publicKey(options) {
    options.challenge = toBytes(options.challenge);
    if (form.dataset.mode === "create") {
      options.user.id = toBytes(options.user.id);
      options.excludeCredentials = withBytes(options.excludeCredentials);
    } else {
      options.allowCredentials = withBytes(options.allowCredentials);
    }
    return options;
  }

  function answer(credential) {
    var response = credential.response;
    var data = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(response.clientDataJSON) },
    };
    if (credential.authenticatorAttachment) data.authenticatorAttachment = credential.authenticatorAttachment;
    if (form.dataset.mode === "create") {
      data.response.attestationObject = toText(response.attestationObject);
      data.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      data.response.authenticatorData = toText(response.authenticatorData);
      data.response.signature = toText(response.signature);
      if (response.userHandle) data.response.userHandle = toText(response.userHandle);
    }
    return JSON.stringify(data);
  }

  function say(text) {
    problem.textContent = text;
    problem.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!window.PublicKeyCredential || !navigator.credentials) {
      say(form.dataset.unsupported);
      return;
    }
    problem.hidden = true;
    var options = { publicKey: publicKey(JSON.parse(optionsElement.textContent)) };
    var asked = form.dataset.mode === "create" ? navigator.credentials.create(options) : navigator.credentials.get(options);
    asked.then(
      function (credential) {
        form.querySelector("input[name=credential]").value = answer(credential);
        form.submit();
      },
      function () {
        say(form.dataset.cancelled);
      }
    );
  });
})();
