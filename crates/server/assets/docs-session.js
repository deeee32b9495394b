
// Added by Tessera: Try it out on the browser session. The session cookie goes with every
// same-origin request by itself; writes also need the X-XSRF-TOKEN header, which this
// interceptor copies from the XSRF-TOKEN cookie. A bearer token set with Authorize still wins.
(function () {
  'use strict';
  function cookie(name) {
    var prefix = name + '=';
    var found = document.cookie.split('; ').find(function (c) { return c.indexOf(prefix) === 0; });
    return found ? decodeURIComponent(found.slice(prefix.length)) : '';
  }
  var original = window.SwaggerUIBundle;
  if (original) {
    window.SwaggerUIBundle = Object.assign(function (config) {
      config.requestInterceptor = function (req) {
        var method = (req.method || 'GET').toUpperCase();
        var sameOrigin = new URL(req.url, window.location.href).origin === window.location.origin;
        var xsrf = cookie('XSRF-TOKEN');
        if (sameOrigin && xsrf && ['GET', 'HEAD', 'OPTIONS'].indexOf(method) < 0) {
          req.headers['X-XSRF-TOKEN'] = xsrf;
        }
        return req;
      };
      return original(config);
    }, original);
  }
  window.addEventListener('load', function () {
    fetch('/api/users/loggedin', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; })
      .then(function (user) {
        var bar = document.createElement('div');
        bar.id = 'tessera-session';
        bar.style.cssText = 'font-family:system-ui,sans-serif;padding:8px 16px;background:#1f2933;color:#fff';
        var link = document.createElement('a');
        link.style.color = '#fff';
        if (user) {
          bar.textContent = 'Signed in as ' + (user.userName || user.email) + ': Try it out uses this session. ';
          link.href = '/app/main/home';
          link.textContent = 'Back to Tessera';
        } else {
          bar.textContent = 'Not signed in: Authorize with a token, or ';
          link.href = '/app/account/login?returnTo=' + encodeURIComponent('/dev/api/docs/');
          link.textContent = 'sign in';
        }
        bar.appendChild(link);
        document.body.insertBefore(bar, document.body.firstChild);
      });
  });
})();
