// serverless.yml reads this file through ${file(./deploy/serverless.js):<section>}. The framework
// loads CommonJS only, so the template's TypeScript is loaded through tsx, from pipelines/ and
// the table definitions as they are now: a new pipeline is a new function with no YAML edit.
'use strict';

const { require: requireTypeScript } = require('tsx/cjs/api');

const template = requireTypeScript('./template.ts', __filename);

async function settingsOf(resolveVariable) {
  return {
    stage: await resolveVariable('sls:stage'),
    region: await resolveVariable('self:provider.region'),
    jwksUrl: await resolveVariable('param:jwksUrl'),
    jwtIssuer: await resolveVariable('param:jwtIssuer'),
    jwtAudience: await resolveVariable('param:jwtAudience'),
    jwtRolesClaim: await resolveVariable('param:jwtRolesClaim'),
    alarmEmail: await resolveVariable('param:alarmEmail'),
    searchDomain: {
      instanceType: await resolveVariable('param:searchInstanceType'),
      instanceCount: Number(await resolveVariable('param:searchInstanceCount')),
      volumeSizeGiB: Number(await resolveVariable('param:searchVolumeGiB')),
    },
  };
}

exports.functions = async ({ resolveVariable }) => template.functionsSection(await settingsOf(resolveVariable));
exports.resources = async ({ resolveVariable }) => template.resourcesSection(await settingsOf(resolveVariable));
exports.environment = async ({ resolveVariable }) => template.environmentSection(await settingsOf(resolveVariable));
