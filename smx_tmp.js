const { startSnmp } = require('./dist/src/snmp');
const { FakeSources } = require('./dist/test/snmp/fake_sources');
const pino = require('pino');
(async () => {
  const s = await startSnmp({ agentx: { socket: '/tmp/sx/agentx.sock' }, users: [], trapTargets: [] }, new FakeSources(), pino({ level: 'debug' }), { retryMs: 300 });
  setTimeout(() => { console.log('registered', s.subagent.registered); s.close(); }, 3000);
})();
