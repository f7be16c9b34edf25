import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { CDC_FAULTS, CDC_IIS_NS, SOAP_ACTIONS } from '#codecs/soap/cdc-iis.ts';
import { CDC_IIS_WSDL, cdcIisWsdl } from '#codecs/soap/cdc-iis.wsdl.ts';

type Node = Record<string, any>;
const list = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]) as Node[];

// Prefixes are fixed by the WSDL text itself, so reading them as written is enough here.
const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(CDC_IIS_WSDL) as Node;
const defs = doc.definitions as Node;
const schema = defs.types['xsd:schema'] as Node;
const elements = new Map(list(schema['xsd:element']).map((e) => [e.name as string, e.type as string]));
const types = new Map(list(schema['xsd:complexType']).map((t) => [t.name as string, t]));
const childNames = (typeName: string) =>
  list(types.get(typeName.replace('tns:', ''))?.['xsd:sequence']?.['xsd:element']).map((e) => e.name);

describe('CDC IIS WSDL', () => {
  it('is well-formed and targets urn:cdc:iisb:2011', () => {
    expect(XMLValidator.validate(CDC_IIS_WSDL)).toBe(true);
    expect(defs.targetNamespace).toBe(CDC_IIS_NS);
    expect(schema.targetNamespace).toBe(CDC_IIS_NS);
    expect(schema.elementFormDefault).toBe('qualified');
  });

  it('declares the elements the codec reads and writes, with their children', () => {
    expect(childNames(elements.get('submitSingleMessage')!)).toEqual([
      'username',
      'password',
      'facilityID',
      'hl7Message',
    ]);
    expect(childNames(elements.get('submitSingleMessageResponse')!)).toEqual(['return']);
    expect(childNames(elements.get('connectivityTest')!)).toEqual(['echoBack']);
    expect(childNames(elements.get('connectivityTestResponse')!)).toEqual(['return']);
    for (const fault of CDC_FAULTS)
      expect(childNames(elements.get(fault)!)).toEqual(expect.arrayContaining(['Reason', 'Detail']));
    expect(childNames(elements.get('MessageTooLargeFault')!)).toEqual(
      expect.arrayContaining(['Size', 'MaxSize']),
    );
  });

  it('resolves every message part to a declared element', () => {
    for (const message of list(defs.message)) {
      const element = (message.part as Node).element as string;
      expect(element.startsWith('tns:'), message.name).toBe(true);
      expect(elements.has(element.slice(4)), element).toBe(true);
    }
  });

  it('binds both operations with SOAP 1.2, document/literal, the actions the client sends, and their faults', () => {
    // Prepare
    const messages = new Set(list(defs.message).map((m) => `tns:${m.name}`));
    const portOps = new Map(list(defs.portType.operation).map((o) => [o.name as string, o]));
    const binding = defs.binding as Node;

    // Assess
    expect(binding['soap12:binding'].style).toBe('document');
    expect(binding.type).toBe(`tns:${defs.portType.name}`);
    for (const op of list(binding.operation)) {
      const name = op.name as keyof typeof SOAP_ACTIONS;
      expect(op['soap12:operation'].soapAction).toBe(SOAP_ACTIONS[name]);
      expect(op.input['soap12:body'].use).toBe('literal');
      const port = portOps.get(name)!;
      expect(messages.has(port.input.message)).toBe(true);
      expect(messages.has(port.output.message)).toBe(true);
      const portFaults = list(port.fault).map((f) => f.name);
      expect(list(op.fault).map((f) => f.name)).toEqual(portFaults);
      for (const f of list(port.fault)) expect(messages.has(f.message)).toBe(true);
    }
    expect([...portOps.keys()].sort()).toEqual(['connectivityTest', 'submitSingleMessage']);
    expect(list(portOps.get('submitSingleMessage')!.fault).map((f) => f.name)).toEqual([
      'UnknownFault',
      'SecurityFault',
      'MessageTooLargeFault',
    ]);
    expect(list(portOps.get('connectivityTest')!.fault).map((f) => f.name)).toEqual([
      'UnknownFault',
      'UnsupportedOperationFault',
    ]);
  });

  it('puts the given address in the port, escaped', () => {
    // Act
    const wsdl = cdcIisWsdl('https://example.test/soap?env=dev&v="1"');

    // Assess
    expect(XMLValidator.validate(wsdl)).toBe(true);
    expect(wsdl).toContain(
      '<soap12:address location="https://example.test/soap?env=dev&amp;v=&quot;1&quot;"/>',
    );
  });
});
