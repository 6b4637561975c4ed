// Stands in, inside the Lambda bundles, for modules Bolt loads at import time that opsbot's Lambda functions never
// use (Express, Socket Mode, OAuth, the HTTP receiver's body reader). Loading them would triple cold init; using
// one by mistake fails loudly here instead of silently.
'use strict';
module.exports = new Proxy(
  {},
  {
    get(_target, property) {
      if (property === '__esModule') return false;
      if (property === 'then') return undefined;
      return function unusedModule() {
        throw new Error(`opsbot: "${String(property)}" comes from a module left out of this Lambda bundle`);
      };
    },
  },
);
