// Tessera's web app: the forms marked data-api call the REST API on the browser session,
// with the X-XSRF-TOKEN header every cookie-authenticated write needs; plus the token field's
// Show and Copy buttons. Everything else is plain HTML.
(function () {
  'use strict';

  function cookie(name) {
    var prefix = name + '=';
    var found = document.cookie.split('; ').find(function (c) { return c.indexOf(prefix) === 0; });
    return found ? decodeURIComponent(found.slice(prefix.length)) : '';
  }

  function call(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { 'X-XSRF-TOKEN': cookie('XSRF-TOKEN') } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!resp.ok) {
          var message = data && data.error && data.error.message;
          throw new Error(message || (resp.status + ' ' + resp.statusText));
        }
        return data;
      });
    });
  }

  // Sets a.b.c in a nested object: a field named "userProfile.apiToken" becomes
  // {"userProfile": {"apiToken": ...}}.
  function put(out, name, value) {
    var keys = name.split('.');
    var last = keys.pop();
    var target = keys.reduce(function (o, k) { return (o[k] = o[k] || {}); }, out);
    target[last] = value;
  }

  // The JSON a form stands for: checkboxes are booleans, multiple selects arrays, empty
  // fields are left out; data-body="ids" sends the array of the "ids" field alone.
  function bodyOf(form) {
    if (form.dataset.body === 'none') return undefined;
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.charAt(0) === '_' || el.disabled) return;
      if (el.type === 'checkbox') { put(out, el.name, el.checked); return; }
      if (el.tagName === 'SELECT' && el.multiple) {
        put(out, el.name, Array.prototype.map.call(el.selectedOptions, function (o) { return o.value; }));
        return;
      }
      if (el.value === '') return;
      put(out, el.name, el.value);
    });
    if (form.dataset.body === 'ids') return out.ids === undefined ? [] : [].concat(out.ids);
    return out;
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.dataset || !form.dataset.api) return;
    ev.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    var box = form.querySelector('[data-error]');
    if (box) box.textContent = '';
    var button = form.querySelector('button[type=submit], button:not([type])');
    if (button) button.disabled = true;
    call(form.dataset.method || 'POST', form.dataset.api, bodyOf(form)).then(function () {
      if (form.dataset.next) window.location.assign(form.dataset.next);
      else window.location.reload();
    }).catch(function (err) {
      if (button) button.disabled = false;
      if (box) box.textContent = err.message; else window.alert(err.message);
    });
  });

  document.addEventListener('click', function (ev) {
    var toggle = ev.target.closest('[data-toggle-secret]');
    if (toggle) {
      var field = document.getElementById(toggle.dataset.toggleSecret);
      var show = field.type === 'password';
      field.type = show ? 'text' : 'password';
      toggle.textContent = show ? 'Hide' : 'Show';
      toggle.setAttribute('aria-pressed', String(show));
    }
    var copy = ev.target.closest('[data-copy]');
    if (copy) {
      var source = document.getElementById(copy.dataset.copy);
      var done = function () { copy.textContent = 'Copied'; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(done);
      } else {
        var type = source.type;
        source.type = 'text';
        source.select();
        document.execCommand('copy');
        source.type = type;
        done();
      }
    }
  });
})();
