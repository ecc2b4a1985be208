/**
 * Named properties by their long ID ([MS-OXPROPS] 2.x "PidLid…"): property set, LID and type.
 * A plain list so every mapper (iCal, vCard, MIME, TNEF) names the same property the same way;
 * append entries, never rewrite. Use `namedProp()` to build a Prop: the tag's id is only a
 * placeholder (writers assign stream ids by name), the type is the real one.
 */
import * as T from './types.ts';
import { PSETID } from './types.ts';

export interface NamedDef {
  guid: string;
  lid?: number;
  name?: string;
  type: number;
}

const A = PSETID.Appointment;
const C = PSETID.Common;
const M = PSETID.Meeting;
const K = PSETID.Task;

// PSETID_Appointment ([MS-OXOCAL] 2.2.1)
export const PidLidAppointmentSequence: NamedDef = { guid: A, lid: 0x8201, type: T.PT_LONG };
export const PidLidBusyStatus: NamedDef = { guid: A, lid: 0x8205, type: T.PT_LONG };
export const PidLidLocation: NamedDef = { guid: A, lid: 0x8208, type: T.PT_UNICODE };
export const PidLidAppointmentStartWhole: NamedDef = { guid: A, lid: 0x820d, type: T.PT_SYSTIME };
export const PidLidAppointmentEndWhole: NamedDef = { guid: A, lid: 0x820e, type: T.PT_SYSTIME };
export const PidLidAppointmentDuration: NamedDef = { guid: A, lid: 0x8213, type: T.PT_LONG };
export const PidLidAppointmentSubType: NamedDef = { guid: A, lid: 0x8215, type: T.PT_BOOLEAN };
export const PidLidAppointmentRecur: NamedDef = { guid: A, lid: 0x8216, type: T.PT_BINARY };
export const PidLidAppointmentStateFlags: NamedDef = { guid: A, lid: 0x8217, type: T.PT_LONG };
export const PidLidResponseStatus: NamedDef = { guid: A, lid: 0x8218, type: T.PT_LONG };
export const PidLidRecurring: NamedDef = { guid: A, lid: 0x8223, type: T.PT_BOOLEAN };
export const PidLidIntendedBusyStatus: NamedDef = { guid: A, lid: 0x8224, type: T.PT_LONG };
export const PidLidExceptionReplaceTime: NamedDef = { guid: A, lid: 0x8228, type: T.PT_SYSTIME };
export const PidLidRecurrenceType: NamedDef = { guid: A, lid: 0x8231, type: T.PT_LONG };
export const PidLidTimeZoneStruct: NamedDef = { guid: A, lid: 0x8233, type: T.PT_BINARY };
export const PidLidTimeZoneDescription: NamedDef = { guid: A, lid: 0x8234, type: T.PT_UNICODE };
export const PidLidClipStart: NamedDef = { guid: A, lid: 0x8235, type: T.PT_SYSTIME };
export const PidLidClipEnd: NamedDef = { guid: A, lid: 0x8236, type: T.PT_SYSTIME };
export const PidLidAppointmentProposedStartWhole: NamedDef = { guid: A, lid: 0x8250, type: T.PT_SYSTIME };
export const PidLidAppointmentProposedEndWhole: NamedDef = { guid: A, lid: 0x8251, type: T.PT_SYSTIME };
export const PidLidAppointmentCounterProposal: NamedDef = { guid: A, lid: 0x8257, type: T.PT_BOOLEAN };
export const PidLidAppointmentNotAllowPropose: NamedDef = { guid: A, lid: 0x825a, type: T.PT_BOOLEAN };
export const PidLidAppointmentTimeZoneDefinitionStartDisplay: NamedDef = { guid: A, lid: 0x825e, type: T.PT_BINARY };
export const PidLidAppointmentTimeZoneDefinitionEndDisplay: NamedDef = { guid: A, lid: 0x825f, type: T.PT_BINARY };
export const PidLidAppointmentTimeZoneDefinitionRecur: NamedDef = { guid: A, lid: 0x8260, type: T.PT_BINARY };

// PSETID_Meeting ([MS-OXOCAL] 2.2.1, 2.2.6)
export const PidLidAttendeeCriticalChange: NamedDef = { guid: M, lid: 0x0001, type: T.PT_SYSTIME };
export const PidLidGlobalObjectId: NamedDef = { guid: M, lid: 0x0003, type: T.PT_BINARY };
export const PidLidOwnerCriticalChange: NamedDef = { guid: M, lid: 0x001a, type: T.PT_SYSTIME };
export const PidLidCleanGlobalObjectId: NamedDef = { guid: M, lid: 0x0023, type: T.PT_BINARY };
export const PidLidMeetingType: NamedDef = { guid: M, lid: 0x0026, type: T.PT_LONG };

// PSETID_Common ([MS-OXCMSG], [MS-OXORMDR])
export const PidLidReminderDelta: NamedDef = { guid: C, lid: 0x8501, type: T.PT_LONG };
export const PidLidReminderTime: NamedDef = { guid: C, lid: 0x8502, type: T.PT_SYSTIME };
export const PidLidReminderSet: NamedDef = { guid: C, lid: 0x8503, type: T.PT_BOOLEAN };
export const PidLidCommonStart: NamedDef = { guid: C, lid: 0x8516, type: T.PT_SYSTIME };
export const PidLidCommonEnd: NamedDef = { guid: C, lid: 0x8517, type: T.PT_SYSTIME };
export const PidLidReminderSignalTime: NamedDef = { guid: C, lid: 0x8560, type: T.PT_SYSTIME };

// PSETID_Task ([MS-OXOTASK] 2.2.2)
export const PidLidTaskStatus: NamedDef = { guid: K, lid: 0x8101, type: T.PT_LONG };
export const PidLidPercentComplete: NamedDef = { guid: K, lid: 0x8102, type: T.PT_DOUBLE };
export const PidLidTaskStartDate: NamedDef = { guid: K, lid: 0x8104, type: T.PT_SYSTIME };
export const PidLidTaskDueDate: NamedDef = { guid: K, lid: 0x8105, type: T.PT_SYSTIME };
export const PidLidTaskDateCompleted: NamedDef = { guid: K, lid: 0x810f, type: T.PT_SYSTIME };
export const PidLidTaskComplete: NamedDef = { guid: K, lid: 0x811c, type: T.PT_BOOLEAN };

// PS_PUBLIC_STRINGS string names
export const PidNameKeywords: NamedDef = { guid: PSETID.PS_PUBLIC_STRINGS, name: 'Keywords', type: T.PT_MV_UNICODE };
export const PidNameLocationUrl: NamedDef = { guid: PSETID.PS_PUBLIC_STRINGS, name: 'urn:schemas:calendar:locationurl', type: T.PT_UNICODE };

/** A Prop for a named property; the id in `tag` is a placeholder, the writer maps by `name`. */
export function namedProp(def: NamedDef, value: T.PropValue): T.Prop {
  const id = def.lid !== undefined && def.lid >= 0x8000 && def.lid <= 0xfffe ? def.lid : 0x8000;
  return {
    tag: T.propTag(id, def.type),
    value,
    name: def.name !== undefined ? { guid: def.guid, name: def.name } : { guid: def.guid, lid: def.lid },
  };
}

/** Find a named property in a list by its name (set + LID or string). */
export function findNamed(props: readonly T.Prop[], def: NamedDef): T.Prop | undefined {
  return props.find(
    (p) => p.name && p.name.guid === def.guid && (def.name !== undefined ? p.name.name === def.name : p.name.lid === def.lid),
  );
}
