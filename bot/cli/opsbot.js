#!/usr/bin/env node
// The `opsbot` command. TypeScript sources run through tsx, so the command works straight from a clone.
require('tsx/cjs');
require('./../node-support.ts');
require('./main.ts');
