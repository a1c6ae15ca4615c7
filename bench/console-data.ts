// The console bench's guest list: a deterministic, realistic CSV (Spanish names with accents, families as groups,
// barcodes SP-26-NNNNNN, NFC UIDs for half, a few needs, most guests seated) and the venue's tables to match.
// No guest_id column: the file is matched by its credentials, so the very same bytes import into any venue.
import { seededRandom } from '../core/seating/engine';

const FIRST = [
  'José', 'Josefina', 'Joaquín', 'Jorge', 'Juan', 'Juana', 'María', 'María José', 'Mariana', 'Lucía', 'Sofía', 'Martina', 'Pablo',
  'Álvaro', 'Hugo', 'Daniel', 'Carmen', 'Pilar', 'Nuria', 'Iñaki', 'Ana', 'Ane', 'Javier', 'Jon', 'Laura', 'Elena', 'Marta', 'Raúl',
  'Sergio', 'Andrés', 'Chloé', 'Noémie', 'João', 'Begoña', 'Íñigo', 'Ramón', 'Rocío', 'Sebastián', 'Tomás', 'Irene', 'Alba', 'Óscar',
];
const LAST = [
  'García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz',
  'Hernández', 'Díaz', 'Moreno', 'Muñoz', 'Álvarez', 'Romero', 'Alonso', 'Gutiérrez', 'Navarro', 'Torres', 'Domínguez', 'Vázquez',
  'Ramos', 'Gil', 'Ramírez', 'Serrano', 'Blanco', 'Molina', 'Morales', 'Suárez', 'Ortega', 'Delgado', 'Castro', 'Ortiz', 'Rubio',
  'Marín', 'Sanz', 'Núñez', 'Iglesias', 'Medina', 'Garrido', 'Cortés', 'Castillo', 'Santos', 'Lozano', 'Guerrero', 'Cano', 'Prieto',
  'Méndez', 'Cruz', 'Calvo', 'Gallego', 'Vidal', 'León', 'Márquez', 'Herrera', 'Peña', 'Flores', 'Cabrera', 'Campos', 'Vega',
  'Fuentes', 'Carrasco', 'Caballero', 'Reyes', 'Nieto', 'Aguilar', 'Pascual', 'Santana', 'Herrero', 'Lorenzo', 'Montero', 'Hidalgo',
  'Ibáñez', 'Ferrer', 'Durán', 'Santiago', 'Benítez', 'Mora', 'Vicente', 'Vargas', 'Arias', 'Carmona', 'Crespo', 'Román', 'Pastor',
];
export const PER_TABLE = 10;

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const quoted = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function tableCount(guests: number): number {
  return Math.max(1, Math.ceil(guests / PER_TABLE));
}

export function tablesCsv(guests: number): string {
  const lines = ['label,capacity,tags'];
  for (let i = 1; i <= tableCount(guests); i++) lines.push(`Mesa ${i},${PER_TABLE + 2},${i % 20 === 0 ? 'accessible|near_exit' : ''}`);
  return lines.join('\n');
}

export function guestsCsv(guests: number): string {
  const r = seededRandom(18); // mulberry32: the same list on every machine
  const lines = ['name,party_size,table,barcode,nfc,group,needs'];
  const seats = tableCount(guests);
  for (let i = 0; i < guests; i++) {
    const last = pick(r, LAST);
    const name = `${pick(r, FIRST)} ${last} ${pick(r, LAST)}`;
    const party = r() < 0.8 ? 1 : r() < 0.8 ? 2 : 3 + Math.floor(r() * 3);
    const table = r() < 0.9 ? `Mesa ${1 + (i % seats)}` : '';
    const barcode = `SP-26-${String(i).padStart(6, '0')}`;
    const nfc = i % 2 ? `04${i.toString(16).toUpperCase().padStart(6, '0')}${Math.floor(r() * 0xffffff).toString(16).toUpperCase().padStart(6, '0')}` : '';
    const g = r();
    const group = g < 0.3 ? `Familia ${last}` : g < 0.4 ? `Empresa ${1 + Math.floor(r() * 40)}` : '';
    const n = r();
    const needs = n < 0.03 ? 'accessible' : n < 0.05 ? 'near_exit' : '';
    lines.push([quoted(name), party, table, barcode, nfc, quoted(group), needs].join(','));
  }
  return lines.join('\n');
}
