/**
 * Named properties the vCard mapping writes ([MS-OXPROPS] PidLid* in PSETID_Address, [MS-OXOCNTC]
 * 2.2). Kept here, next to their only user, as (name, type) pairs so the mapper builds Prop values
 * without knowing which id a writer will assign.
 */
import { PSETID, type PropertyName, propTag } from '../mapi/types.ts';
import * as T from '../mapi/types.ts';

/** PSETID_Gromox, the property set of gromox's private names ({1DE937E2-85C6-40A1-BD9D-A6E2B7B787B1}). */
export const PSETID_GROMOX = '1de937e2-85c6-40a1-bd9d-a6e2b7b787b1';

export interface NamedDef {
  name: PropertyName;
  type: number;
}

const addr = (lid: number, type: number): NamedDef => ({ name: { guid: PSETID.Address, lid }, type });

export const PidLidEmail1DisplayName = addr(0x8080, T.PT_UNICODE);
export const PidLidEmail1AddressType = addr(0x8082, T.PT_UNICODE);
export const PidLidEmail1EmailAddress = addr(0x8083, T.PT_UNICODE);
export const PidLidEmail1OriginalDisplayName = addr(0x8084, T.PT_UNICODE);
export const PidLidEmail1OriginalEntryId = addr(0x8085, T.PT_BINARY);
export const PidLidEmail2DisplayName = addr(0x8090, T.PT_UNICODE);
export const PidLidEmail2AddressType = addr(0x8092, T.PT_UNICODE);
export const PidLidEmail2EmailAddress = addr(0x8093, T.PT_UNICODE);
export const PidLidEmail2OriginalDisplayName = addr(0x8094, T.PT_UNICODE);
export const PidLidEmail2OriginalEntryId = addr(0x8095, T.PT_BINARY);
export const PidLidEmail3DisplayName = addr(0x80a0, T.PT_UNICODE);
export const PidLidEmail3AddressType = addr(0x80a2, T.PT_UNICODE);
export const PidLidEmail3EmailAddress = addr(0x80a3, T.PT_UNICODE);
export const PidLidEmail3OriginalDisplayName = addr(0x80a4, T.PT_UNICODE);
export const PidLidEmail3OriginalEntryId = addr(0x80a5, T.PT_BINARY);
/** [MS-OXOCNTC] 2.2.1.2.6/2.2.1.2.7. */
export const PidLidAddressBookProviderEmailList = addr(0x8028, T.PT_MV_LONG);
export const PidLidAddressBookProviderArrayType = addr(0x8029, T.PT_LONG);

export const EMAIL_SLOTS = [
  { display: PidLidEmail1DisplayName, type: PidLidEmail1AddressType, address: PidLidEmail1EmailAddress, original: PidLidEmail1OriginalDisplayName, entryId: PidLidEmail1OriginalEntryId },
  { display: PidLidEmail2DisplayName, type: PidLidEmail2AddressType, address: PidLidEmail2EmailAddress, original: PidLidEmail2OriginalDisplayName, entryId: PidLidEmail2OriginalEntryId },
  { display: PidLidEmail3DisplayName, type: PidLidEmail3AddressType, address: PidLidEmail3EmailAddress, original: PidLidEmail3OriginalDisplayName, entryId: PidLidEmail3OriginalEntryId },
] as const;

export const PidLidWorkAddressStreet = addr(0x8045, T.PT_UNICODE);
export const PidLidWorkAddressCity = addr(0x8046, T.PT_UNICODE);
export const PidLidWorkAddressState = addr(0x8047, T.PT_UNICODE);
export const PidLidWorkAddressPostalCode = addr(0x8048, T.PT_UNICODE);
export const PidLidWorkAddressCountry = addr(0x8049, T.PT_UNICODE);
export const PidLidWorkAddressPostOfficeBox = addr(0x804a, T.PT_UNICODE);

export const PidLidBusinessCardDisplayDefinition = addr(0x8040, T.PT_BINARY);
export const PidLidContactUserField1 = addr(0x804f, T.PT_UNICODE);
export const PidLidContactUserField2 = addr(0x8050, T.PT_UNICODE);
export const PidLidContactUserField3 = addr(0x8051, T.PT_UNICODE);
export const PidLidContactUserField4 = addr(0x8052, T.PT_UNICODE);
export const PidLidInstantMessagingAddress = addr(0x8062, T.PT_UNICODE);
export const PidLidFreeBusyLocation = addr(0x80d8, T.PT_UNICODE);
export const PidLidHasPicture = addr(0x8015, T.PT_BOOLEAN);

/** Distribution lists, [MS-OXOCNTC] 2.2.2.2. */
export const PidLidDistributionListChecksum = addr(0x804c, T.PT_LONG);
export const PidLidDistributionListName = addr(0x8053, T.PT_UNICODE);
export const PidLidDistributionListOneOffMembers = addr(0x8054, T.PT_MV_BINARY);
export const PidLidDistributionListMembers = addr(0x8055, T.PT_MV_BINARY);

/** PidNameKeywords ([MS-OXPROPS] 2.478): categories, as the mail and calendar converters write them. */
export const PidNameKeywords: NamedDef = { name: { guid: PSETID.PS_PUBLIC_STRINGS, name: 'Keywords' }, type: T.PT_MV_UNICODE };
/** What gromox's vCard path writes for CATEGORIES instead (LID 0x2328 in PS_PUBLIC_STRINGS; a bug). */
export const GromoxVcardCategories: NamedDef = { name: { guid: PSETID.PS_PUBLIC_STRINGS, lid: 0x2328 }, type: T.PT_MV_UNICODE };
/** gromox's {PSETID_Gromox, "vcarduid"}: the card's UID, so a re-import can find the contact. */
export const PidNameVcardUid: NamedDef = { name: { guid: PSETID_GROMOX, name: 'vcarduid' }, type: T.PT_UNICODE };

/** Tag with a placeholder id 0x8000 (writers assign their own ids by name) and the def's type. */
export const namedTag = (d: NamedDef): number => propTag(0x8000, d.type);

/**
 * The names gromox's vcf2mt requests up front, in its order (seen in its streams). A writer that
 * wants byte-identical streams can declare these first; comparisons by name do not need it.
 */
export const GROMOX_VCARD_NAME_ORDER: readonly NamedDef[] = [
  PidLidWorkAddressPostOfficeBox, PidLidWorkAddressStreet, PidLidWorkAddressCity, PidLidWorkAddressState,
  PidLidWorkAddressPostalCode, PidLidWorkAddressCountry, PidLidEmail1EmailAddress, PidLidEmail2EmailAddress,
  PidLidEmail3EmailAddress, PidLidInstantMessagingAddress, GromoxVcardCategories, PidLidBusinessCardDisplayDefinition,
  PidLidContactUserField1, PidLidContactUserField2, PidLidContactUserField3, PidLidContactUserField4,
  PidLidFreeBusyLocation, PidNameVcardUid, PidLidEmail1AddressType, PidLidEmail2AddressType, PidLidEmail3AddressType,
  PidLidHasPicture,
];
