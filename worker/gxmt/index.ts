/** Public surface of the GXMT stream module (writer, strict reader, JSON/tree form). */
export * from './constants.ts';
export { GxmtError, WRITER_CODES, READER_CODES, type GxmtWriterCode, type GxmtReaderCode } from './codes.ts';
export { createGxmtWriter, createGxmtEncoder, type EncodedMessage, type GxmtWriter, type GxmtWriterOptions, type GxmtHeaderInit, type FolderMapEntry, type AclEntry } from './writer.ts';
export {
  readGxmt,
  decodeGxmtBytes,
  type GxmtReader,
  type GxmtReadOptions,
  type GxmtHeader,
  type GxmtFrame,
  type FolderFrame,
  type MessageFrame,
  type NamedPropFrame,
  type DecodedMessage,
} from './reader.ts';
export { frameJson, headerJson, frameText, headerText, propJson, valueJson, bytesHex, hexId, tagHex } from './json.ts';
