// `POST /console/api/occasions/:id/guests/import`: the CSV as the body, imported by the CLI's own importGuests in the
// request's scoped transaction (nothing is written unless every row is good). With `Accept: application/x-ndjson`
// the answer streams ImportStreamLine lines (each stage's progress, then the result or the refusal), so a page can
// show a 100,000-row file moving; otherwise one JSON answer.
import { PassThrough } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { GuestImportReportSchema, type ImportStreamLine } from '../../../core/console/guests';
import { importGuests, type GuestImportReport, type GuestImportStage } from '../../guestlist/import-guests';
import { recordAudit } from '../audit';
import { ConsoleError, consoleErrorOf } from '../errors';
import type { ConsoleContext } from '../plugin';
import { scoped } from '../scope';
import { actorOf, guard, sessionOf, type ConsoleSession } from '../session';
import { tenantOccasion } from './venues';

export const IMPORT_BODY_LIMIT = 32 * 1024 * 1024;
const NDJSON = 'application/x-ndjson';

/** The body as UTF-8 text, refused as a spreadsheet program's other encodings are by the CLI. */
function csvText(body: unknown): string {
  if (!Buffer.isBuffer(body) || !body.length) throw new ConsoleError('bad_request', 'send the guest list as the body (text/csv)');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new ConsoleError('bad_request', 'the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in spreadsheet programs)');
  }
}

async function runImport(ctx: ConsoleContext, s: ConsoleSession, occasionId: string, csv: string, onStage?: (stage: GuestImportStage, done: number, total: number) => void): Promise<GuestImportReport> {
  return scoped(ctx.db, s, async (q) => {
    const occasion = await tenantOccasion(q, s.tenantId, occasionId);
    const report = await importGuests(q, { venueId: occasion.venue_id, occasionId, csv, ...(onStage ? { onStage } : {}) });
    // The audit keeps the report, never the file (names and ticket numbers of thousands of people).
    await recordAudit(q, actorOf(s), { tenantId: s.tenantId, action: 'guests.import', entity: 'occasion', entityId: occasionId, venueId: occasion.venue_id, after: report });
    return report;
  });
}

/** Registers the route and its text/csv body parser in a scope of their own (no other route takes CSV). */
export function registerGuestImportRoute(api: FastifyInstance, ctx: ConsoleContext): void {
  void api.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'text/plain', 'application/csv'], { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post<{ Params: { id: string } }>(
      '/occasions/:id/guests/import',
      {
        onRequest: guard(ctx.db, 'edit_guests', ctx.now),
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }), response: { 200: GuestImportReportSchema } },
      },
      async (request, reply) => {
        const s = sessionOf(request);
        const csv = csvText(request.body);
        if (!String(request.headers.accept ?? '').includes(NDJSON)) return runImport(ctx, s, request.params.id, csv);

        // An unknown occasion is a plain 404 before the stream starts.
        await scoped(ctx.db, s, (q) => tenantOccasion(q, s.tenantId, request.params.id));
        const out = new PassThrough();
        const line = (l: ImportStreamLine) => out.write(`${JSON.stringify(l)}\n`);
        void runImport(ctx, s, request.params.id, csv, (stage, done, total) => line({ stage, done, total }))
          .then((result) => line({ result }))
          .catch((e: unknown) => {
            const mapped = consoleErrorOf(e);
            if (!mapped) request.log.error({ err: e }, 'guest import failed');
            line(mapped
              ? { error: mapped.code, message: mapped.message, ...(mapped.extra.problems ? { problems: mapped.extra.problems } : {}) }
              : { error: 'internal', message: 'the import failed on the server; nothing was imported' });
          })
          .finally(() => out.end());
        return reply.code(200).type(`${NDJSON}; charset=utf-8`).header('cache-control', 'no-store').send(out);
      },
    );
  });
}
