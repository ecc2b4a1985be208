/**
 * Property tags used across readers and writers ([MS-OXPROPS]). One list for the whole project so
 * that the PST reader, the MIME/iCal/vCard mappers and the GXMT writer cannot disagree on a number.
 * Append new tags in numeric order within their block; never rewrite existing ones.
 */
import { propTag } from './types.ts';
import * as T from './types.ts';

const t = propTag;

// Message envelope
export const PR_MESSAGE_CLASS = t(0x001a, T.PT_UNICODE);
export const PR_SUBJECT = t(0x0037, T.PT_UNICODE);
export const PR_SUBJECT_PREFIX = t(0x003d, T.PT_UNICODE);
export const PR_NORMALIZED_SUBJECT = t(0x0e1d, T.PT_UNICODE);
export const PR_CONVERSATION_TOPIC = t(0x0070, T.PT_UNICODE);
export const PR_CONVERSATION_INDEX = t(0x0071, T.PT_BINARY);
export const PR_IMPORTANCE = t(0x0017, T.PT_LONG);
export const PR_PRIORITY = t(0x0026, T.PT_LONG);
export const PR_SENSITIVITY = t(0x0036, T.PT_LONG);
export const PR_CLIENT_SUBMIT_TIME = t(0x0039, T.PT_SYSTIME);
export const PR_MESSAGE_DELIVERY_TIME = t(0x0e06, T.PT_SYSTIME);
export const PR_CREATION_TIME = t(0x3007, T.PT_SYSTIME);
export const PR_LAST_MODIFICATION_TIME = t(0x3008, T.PT_SYSTIME);
export const PR_MESSAGE_FLAGS = t(0x0e07, T.PT_LONG);
export const PR_MESSAGE_SIZE = t(0x0e08, T.PT_LONG);
export const PR_HASATTACH = t(0x0e1b, T.PT_BOOLEAN);
export const PR_READ_RECEIPT_REQUESTED = t(0x0029, T.PT_BOOLEAN);
export const PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED = t(0x0023, T.PT_BOOLEAN);
export const PR_DISPLAY_TO = t(0x0e04, T.PT_UNICODE);
export const PR_DISPLAY_CC = t(0x0e03, T.PT_UNICODE);
export const PR_DISPLAY_BCC = t(0x0e02, T.PT_UNICODE);
export const PR_INTERNET_MESSAGE_ID = t(0x1035, T.PT_UNICODE);
export const PR_IN_REPLY_TO_ID = t(0x1042, T.PT_UNICODE);
export const PR_INTERNET_REFERENCES = t(0x1039, T.PT_UNICODE);
export const PR_TRANSPORT_MESSAGE_HEADERS = t(0x007d, T.PT_UNICODE);
export const PR_INTERNET_CPID = t(0x3fde, T.PT_LONG);
export const PR_MESSAGE_CODEPAGE = t(0x3ffd, T.PT_LONG);
export const PR_MESSAGE_LOCALE_ID = t(0x3ff1, T.PT_LONG);
export const PR_SEARCH_KEY = t(0x300b, T.PT_BINARY);
export const PR_ENTRYID = t(0x0fff, T.PT_BINARY);
export const PR_RECORD_KEY = t(0x0ff9, T.PT_BINARY);
export const PR_ICON_INDEX = t(0x1080, T.PT_LONG);
export const PR_LIST_UNSUBSCRIBE = t(0x1045, T.PT_UNICODE);
export const PR_LIST_HELP = t(0x1043, T.PT_UNICODE);
export const PR_LIST_SUBSCRIBE = t(0x1044, T.PT_UNICODE);
export const PR_REPLY_RECIPIENT_NAMES = t(0x0050, T.PT_UNICODE);
export const PR_REPLY_RECIPIENT_ENTRIES = t(0x004f, T.PT_BINARY);
export const PR_AUTO_RESPONSE_SUPPRESS = t(0x3fdf, T.PT_LONG);

// Bodies
export const PR_BODY = t(0x1000, T.PT_UNICODE);
export const PR_RTF_SYNC_BODY_CRC = t(0x1006, T.PT_LONG);
export const PR_RTF_SYNC_BODY_COUNT = t(0x1007, T.PT_LONG);
export const PR_RTF_SYNC_BODY_TAG = t(0x1008, T.PT_UNICODE);
export const PR_RTF_COMPRESSED = t(0x1009, T.PT_BINARY);
export const PR_RTF_IN_SYNC = t(0x0e1f, T.PT_BOOLEAN);
export const PR_HTML = t(0x1013, T.PT_BINARY);
export const PR_NATIVE_BODY_INFO = t(0x1016, T.PT_LONG);

// Sender / representing
export const PR_SENDER_NAME = t(0x0c1a, T.PT_UNICODE);
export const PR_SENDER_ENTRYID = t(0x0c19, T.PT_BINARY);
export const PR_SENDER_SEARCH_KEY = t(0x0c1d, T.PT_BINARY);
export const PR_SENDER_ADDRTYPE = t(0x0c1e, T.PT_UNICODE);
export const PR_SENDER_EMAIL_ADDRESS = t(0x0c1f, T.PT_UNICODE);
export const PR_SENDER_SMTP_ADDRESS = t(0x5d01, T.PT_UNICODE);
export const PR_SENT_REPRESENTING_NAME = t(0x0042, T.PT_UNICODE);
export const PR_SENT_REPRESENTING_ENTRYID = t(0x0041, T.PT_BINARY);
export const PR_SENT_REPRESENTING_SEARCH_KEY = t(0x003b, T.PT_BINARY);
export const PR_SENT_REPRESENTING_ADDRTYPE = t(0x0064, T.PT_UNICODE);
export const PR_SENT_REPRESENTING_EMAIL_ADDRESS = t(0x0065, T.PT_UNICODE);
export const PR_SENT_REPRESENTING_SMTP_ADDRESS = t(0x5d02, T.PT_UNICODE);

// Recipients
export const PR_RECIPIENT_TYPE = t(0x0c15, T.PT_LONG);
export const PR_DISPLAY_NAME = t(0x3001, T.PT_UNICODE);
export const PR_ADDRTYPE = t(0x3002, T.PT_UNICODE);
export const PR_EMAIL_ADDRESS = t(0x3003, T.PT_UNICODE);
export const PR_SMTP_ADDRESS = t(0x39fe, T.PT_UNICODE);
export const PR_ROWID = t(0x3000, T.PT_LONG);
export const PR_RESPONSIBILITY = t(0x0e0f, T.PT_BOOLEAN);
export const PR_SEND_RICH_INFO = t(0x3a40, T.PT_BOOLEAN);
export const PR_RECIPIENT_FLAGS = t(0x5ffd, T.PT_LONG);
export const PR_RECIPIENT_TRACKSTATUS = t(0x5fff, T.PT_LONG);
export const PR_OBJECT_TYPE = t(0x0ffe, T.PT_LONG);
export const PR_DISPLAY_TYPE = t(0x3900, T.PT_LONG);
export const PR_TRANSMITABLE_DISPLAY_NAME = t(0x3a20, T.PT_UNICODE);

// Attachments
export const PR_ATTACH_NUM = t(0x0e21, T.PT_LONG);
export const PR_ATTACH_SIZE = t(0x0e20, T.PT_LONG);
export const PR_ATTACH_DATA_BIN = t(0x3701, T.PT_BINARY);
export const PR_ATTACH_DATA_OBJ = t(0x3701, T.PT_OBJECT);
export const PR_ATTACH_ENCODING = t(0x3702, T.PT_BINARY);
export const PR_ATTACH_EXTENSION = t(0x3703, T.PT_UNICODE);
export const PR_ATTACH_FILENAME = t(0x3704, T.PT_UNICODE);
export const PR_ATTACH_METHOD = t(0x3705, T.PT_LONG);
export const PR_ATTACH_LONG_FILENAME = t(0x3707, T.PT_UNICODE);
export const PR_ATTACH_PATHNAME = t(0x3708, T.PT_UNICODE);
export const PR_ATTACH_RENDERING = t(0x3709, T.PT_BINARY);
export const PR_ATTACH_TAG = t(0x370a, T.PT_BINARY);
export const PR_RENDERING_POSITION = t(0x370b, T.PT_LONG);
export const PR_ATTACH_LONG_PATHNAME = t(0x370d, T.PT_UNICODE);
export const PR_ATTACH_MIME_TAG = t(0x370e, T.PT_UNICODE);
export const PR_ATTACH_CONTENT_ID = t(0x3712, T.PT_UNICODE);
export const PR_ATTACH_CONTENT_LOCATION = t(0x3713, T.PT_UNICODE);
export const PR_ATTACH_FLAGS = t(0x3714, T.PT_LONG);
export const PR_ATTACH_CONTENT_BASE = t(0x3711, T.PT_UNICODE);
export const PR_ATTACH_MIME_SEQUENCE = t(0x3710, T.PT_LONG);
export const PR_ATTACHMENT_HIDDEN = t(0x7ffe, T.PT_BOOLEAN);
export const PR_ATTACHMENT_FLAGS = t(0x7ffd, T.PT_LONG);
export const PR_ATTACHMENT_CONTACTPHOTO = t(0x7fff, T.PT_BOOLEAN);
export const PR_ATTACHMENT_LINKID = t(0x7ffa, T.PT_LONG);
export const PR_EXCEPTION_STARTTIME = t(0x7ffb, T.PT_SYSTIME);
export const PR_EXCEPTION_ENDTIME = t(0x7ffc, T.PT_SYSTIME);

/** PR_ATTACH_METHOD values ([MS-OXCMSG] 2.2.2.9). */
export const ATTACH_BY_VALUE = 1;
export const ATTACH_BY_REFERENCE = 2;
export const ATTACH_BY_REF_RESOLVE = 3;
export const ATTACH_BY_REF_ONLY = 4;
export const ATTACH_EMBEDDED_MSG = 5;
export const ATTACH_OLE = 6;

// Folders and store
export const PR_CONTENT_COUNT = t(0x3602, T.PT_LONG);
export const PR_CONTENT_UNREAD = t(0x3603, T.PT_LONG);
export const PR_SUBFOLDERS = t(0x360a, T.PT_BOOLEAN);
export const PR_CONTAINER_CLASS = t(0x3613, T.PT_UNICODE);
export const PR_ASSOC_CONTENT_COUNT = t(0x3617, T.PT_LONG);
export const PR_FOLDER_TYPE = t(0x3601, T.PT_LONG);
export const PR_COMMENT = t(0x3004, T.PT_UNICODE);
export const PR_ATTR_HIDDEN = t(0x10f4, T.PT_BOOLEAN);
export const PR_ATTR_SYSTEM = t(0x10f5, T.PT_BOOLEAN);
export const PR_ATTR_READONLY = t(0x10f6, T.PT_BOOLEAN);
export const PR_IPM_SUBTREE_ENTRYID = t(0x35e0, T.PT_BINARY);
export const PR_IPM_OUTBOX_ENTRYID = t(0x35e2, T.PT_BINARY);
export const PR_IPM_WASTEBASKET_ENTRYID = t(0x35e3, T.PT_BINARY);
export const PR_IPM_SENTMAIL_ENTRYID = t(0x35e4, T.PT_BINARY);
export const PR_VIEWS_ENTRYID = t(0x35e5, T.PT_BINARY);
export const PR_COMMON_VIEWS_ENTRYID = t(0x35e6, T.PT_BINARY);
export const PR_FINDER_ENTRYID = t(0x35e7, T.PT_BINARY);
export const PR_IPM_APPOINTMENT_ENTRYID = t(0x36d0, T.PT_BINARY);
export const PR_IPM_CONTACT_ENTRYID = t(0x36d1, T.PT_BINARY);
export const PR_IPM_JOURNAL_ENTRYID = t(0x36d2, T.PT_BINARY);
export const PR_IPM_NOTE_ENTRYID = t(0x36d3, T.PT_BINARY);
export const PR_IPM_TASK_ENTRYID = t(0x36d4, T.PT_BINARY);
export const PR_IPM_DRAFTS_ENTRYID = t(0x36d7, T.PT_BINARY);
export const PR_ADDITIONAL_REN_ENTRYIDS = t(0x36d8, T.PT_MV_BINARY);
export const PR_PST_PASSWORD = t(0x67ff, T.PT_LONG);
export const PR_MESSAGE_STORE_RECORD_KEY = t(0x0ffa, T.PT_BINARY);
export const PR_STORE_SUPPORT_MASK = t(0x340d, T.PT_LONG);
export const PR_VALID_FOLDER_MASK = t(0x35df, T.PT_LONG);

// Contacts (non-named)
export const PR_GIVEN_NAME = t(0x3a06, T.PT_UNICODE);
export const PR_SURNAME = t(0x3a11, T.PT_UNICODE);
export const PR_MIDDLE_NAME = t(0x3a44, T.PT_UNICODE);
export const PR_DISPLAY_NAME_PREFIX = t(0x3a45, T.PT_UNICODE);
export const PR_GENERATION = t(0x3a05, T.PT_UNICODE);
export const PR_NICKNAME = t(0x3a4f, T.PT_UNICODE);
export const PR_COMPANY_NAME = t(0x3a16, T.PT_UNICODE);
export const PR_DEPARTMENT_NAME = t(0x3a18, T.PT_UNICODE);
export const PR_TITLE = t(0x3a17, T.PT_UNICODE);
export const PR_BUSINESS_TELEPHONE_NUMBER = t(0x3a08, T.PT_UNICODE);
export const PR_HOME_TELEPHONE_NUMBER = t(0x3a09, T.PT_UNICODE);
export const PR_MOBILE_TELEPHONE_NUMBER = t(0x3a1c, T.PT_UNICODE);
export const PR_BUSINESS_FAX_NUMBER = t(0x3a24, T.PT_UNICODE);
export const PR_BIRTHDAY = t(0x3a42, T.PT_SYSTIME);
export const PR_WEDDING_ANNIVERSARY = t(0x3a41, T.PT_SYSTIME);
export const PR_BUSINESS_HOME_PAGE = t(0x3a51, T.PT_UNICODE);
export const PR_PERSONAL_HOME_PAGE = t(0x3a50, T.PT_UNICODE);
export const PR_CALLBACK_TELEPHONE_NUMBER = t(0x3a02, T.PT_UNICODE);
export const PR_PRIMARY_TELEPHONE_NUMBER = t(0x3a1a, T.PT_UNICODE);
export const PR_BUSINESS2_TELEPHONE_NUMBER = t(0x3a1b, T.PT_UNICODE);
export const PR_RADIO_TELEPHONE_NUMBER = t(0x3a1d, T.PT_UNICODE);
export const PR_CAR_TELEPHONE_NUMBER = t(0x3a1e, T.PT_UNICODE);
export const PR_OTHER_TELEPHONE_NUMBER = t(0x3a1f, T.PT_UNICODE);
export const PR_PAGER_TELEPHONE_NUMBER = t(0x3a21, T.PT_UNICODE);
export const PR_PRIMARY_FAX_NUMBER = t(0x3a23, T.PT_UNICODE);
export const PR_HOME_FAX_NUMBER = t(0x3a25, T.PT_UNICODE);
export const PR_ISDN_NUMBER = t(0x3a2d, T.PT_UNICODE);
export const PR_ASSISTANT_TELEPHONE_NUMBER = t(0x3a2e, T.PT_UNICODE);
export const PR_HOME2_TELEPHONE_NUMBER = t(0x3a2f, T.PT_UNICODE);
export const PR_ASSISTANT = t(0x3a30, T.PT_UNICODE);
export const PR_HOBBIES = t(0x3a43, T.PT_UNICODE);
export const PR_PROFESSION = t(0x3a46, T.PT_UNICODE);
export const PR_SPOUSE_NAME = t(0x3a48, T.PT_UNICODE);
export const PR_TTYTDD_PHONE_NUMBER = t(0x3a4b, T.PT_UNICODE);
export const PR_MANAGER_NAME = t(0x3a4e, T.PT_UNICODE);
export const PR_COMPANY_MAIN_PHONE_NUMBER = t(0x3a57, T.PT_UNICODE);
export const PR_CHILDRENS_NAMES = t(0x3a58, T.PT_MV_UNICODE);
export const PR_HOME_ADDRESS_CITY = t(0x3a59, T.PT_UNICODE);
export const PR_HOME_ADDRESS_COUNTRY = t(0x3a5a, T.PT_UNICODE);
export const PR_HOME_ADDRESS_POSTAL_CODE = t(0x3a5b, T.PT_UNICODE);
export const PR_HOME_ADDRESS_STATE_OR_PROVINCE = t(0x3a5c, T.PT_UNICODE);
export const PR_HOME_ADDRESS_STREET = t(0x3a5d, T.PT_UNICODE);
export const PR_HOME_ADDRESS_POST_OFFICE_BOX = t(0x3a5e, T.PT_UNICODE);
export const PR_OTHER_ADDRESS_CITY = t(0x3a5f, T.PT_UNICODE);
export const PR_OTHER_ADDRESS_COUNTRY = t(0x3a60, T.PT_UNICODE);
export const PR_OTHER_ADDRESS_POSTAL_CODE = t(0x3a61, T.PT_UNICODE);
export const PR_OTHER_ADDRESS_STATE_OR_PROVINCE = t(0x3a62, T.PT_UNICODE);
export const PR_OTHER_ADDRESS_STREET = t(0x3a63, T.PT_UNICODE);
export const PR_OTHER_ADDRESS_POST_OFFICE_BOX = t(0x3a64, T.PT_UNICODE);
export const PR_USER_X509_CERTIFICATE = t(0x3a70, T.PT_MV_BINARY);

// Calendar message and recipient properties (iCal mapping; [MS-OXOCAL] 2.2.1, [MS-OXOMSG] 2.2.1)
export const PR_START_DATE = t(0x0060, T.PT_SYSTIME);
export const PR_END_DATE = t(0x0061, T.PT_SYSTIME);
export const PR_OWNER_APPT_ID = t(0x0062, T.PT_LONG);
export const PR_RESPONSE_REQUESTED = t(0x0063, T.PT_BOOLEAN);
export const PR_REPLY_REQUESTED = t(0x0c17, T.PT_BOOLEAN);
export const PR_RECIPIENT_ENTRYID = t(0x5ff7, T.PT_BINARY);

// Internet mail mapping (MIME → MAPI, gromox oxcmail; [MS-OXCMAIL] 2.2.3, [MS-OXOMSG] 2.2.1)
export const PR_EXPIRY_TIME = t(0x0015, T.PT_SYSTIME);
export const PR_PARENT_KEY = t(0x0025, T.PT_BINARY);
export const PR_RECEIPT_TIME = t(0x002a, T.PT_SYSTIME);
export const PR_REPLY_TIME = t(0x0030, T.PT_SYSTIME);
export const PR_REPORT_TIME = t(0x0032, T.PT_SYSTIME);
export const PR_READ_RECEIPT_ENTRYID = t(0x0046, T.PT_BINARY);
export const PR_READ_RECEIPT_SEARCH_KEY = t(0x0053, T.PT_BINARY);
export const PR_ORIGINAL_DELIVERY_TIME = t(0x0055, T.PT_SYSTIME);
export const PR_ORIGINAL_DISPLAY_TO = t(0x0074, T.PT_UNICODE);
export const PR_NON_RECEIPT_NOTIFICATION_REQUESTED = t(0x0c06, T.PT_BOOLEAN);
export const PR_TODO_ITEM_FLAGS = t(0x0e2b, T.PT_LONG);
export const PR_REPORT_TEXT = t(0x1001, T.PT_UNICODE);
export const PR_BODY_CONTENT_LOCATION = t(0x1014, T.PT_UNICODE);
export const PR_BODY_CONTENT_ID = t(0x1015, T.PT_UNICODE);
export const PR_INTERNET_PRECEDENCE = t(0x1041, T.PT_UNICODE);
export const PR_FLAG_STATUS = t(0x1090, T.PT_LONG);
export const PR_ATTACH_TRANSPORT_NAME = t(0x370c, T.PT_UNICODE);
export const PR_ATTACH_PAYLOAD_CLASS = t(0x371a, T.PT_UNICODE);
export const PR_TEXT_ATTACHMENT_CHARSET = t(0x371b, T.PT_UNICODE);
export const PR_CONTENT_FILTER_SCL = t(0x4076, T.PT_LONG);
export const PR_SENDER_ID_STATUS = t(0x4079, T.PT_LONG);
export const PR_PURPORTED_SENDER_DOMAIN = t(0x4083, T.PT_UNICODE);
export const PR_READ_RECEIPT_ADDRTYPE = t(0x4029, T.PT_UNICODE);
export const PR_READ_RECEIPT_EMAIL_ADDRESS = t(0x402a, T.PT_UNICODE);
export const PR_READ_RECEIPT_NAME = t(0x402b, T.PT_UNICODE);
export const PR_READ_RECEIPT_SMTP_ADDRESS = t(0x5d05, T.PT_UNICODE);
export const PR_REPORTING_MTA = t(0x6820, T.PT_UNICODE);
export const PR_MID = t(0x674a, T.PT_I8);
