// The attachments live in ./attachments/ (grid, tile, viewer, players, file cards); this entry
// keeps the imports of `components/attachments` working.
export { Attachments, type AttachmentsProps, DefaultAttachments } from './attachments/attachments';
