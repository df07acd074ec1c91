// Served as the first script of the page (and of the example host page) in the cross-browser tests: records
// what a console would show as an error, for a driver that reports no console (WebKitWebDriver). The
// other engines' drivers report the console too; the tests read both.
'use strict';
{
  const recorded = [];
  self.recordedErrors = recorded;
  // Capturing, so that a script or file that fails to load (an error on its element) is caught as well.
  addEventListener('error', (event) => {
    recorded.push(event.target === self ? `page error: ${event.message}` : `failed to load: ${event.target.src || event.target.href}`);
  }, true);
  addEventListener('unhandledrejection', (event) => recorded.push(`unhandled rejection: ${event.reason?.message ?? event.reason}`));
  addEventListener('securitypolicyviolation', (event) => recorded.push(`blocked by the policy (${event.violatedDirective}): ${event.blockedURI}`));
  const consoleError = console.error;
  console.error = (...args) => {
    recorded.push(`console error: ${args.join(' ')}`);
    consoleError.apply(console, args);
  };
}
