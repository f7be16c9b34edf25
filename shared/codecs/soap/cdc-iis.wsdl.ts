/**
 * The CDC IIS web service description (namespace `urn:cdc:iisb:2011`, SOAP 1.2, document/literal wrapped) that
 * the pipeline's SOAP intake serves, so an EHR that already reports to CAIR2 can generate its client from it.
 *
 * Names of the port type, binding, service, messages and elements are those of the CDC WSDL, because generated
 * clients (Axis2, CXF, WCF) bake them into class names and action URIs. The schema is inlined rather than
 * imported so that one GET returns everything a code generator needs.
 */
import { escapeXmlAttr } from './cdc-iis.ts';

/** Where the service is described as living when no address is known (generated clients let callers override it). */
export const DEFAULT_WSDL_LOCATION = 'http://localhost/IISService';

/** The WSDL with `location` as the soap12:address of the port. */
export function cdcIisWsdl(location: string = DEFAULT_WSDL_LOCATION): string {
  return WSDL_TEMPLATE.replace('__LOCATION__', escapeXmlAttr(location, 'location'));
}

// The three fault types repeat Code/Reason/Detail instead of extending soapFaultType: the CDC schema defines them
// that way and some code generators name exception classes after the types. MessageTooLargeFaultType's Size and
// MaxSize are optional because copies of the 2011 schema in circulation omit them.
// The binding's transport is the WSDL 1.1 HTTP URI, as in the CDC document; SOAP 1.2 toolkits accept it.
const WSDL_TEMPLATE = `<?xml version="1.0" encoding="UTF-8"?>
<definitions name="IISService"
    targetNamespace="urn:cdc:iisb:2011"
    xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:tns="urn:cdc:iisb:2011"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema">

  <documentation>CDC Immunization Information System (IIS) web service, 2011 interface: connectivityTest and submitSingleMessage (HL7 v2 in, HL7 v2 acknowledgement out).</documentation>

  <types>
    <xsd:schema targetNamespace="urn:cdc:iisb:2011" elementFormDefault="qualified">

      <xsd:complexType name="connectivityTestRequestType">
        <xsd:sequence>
          <xsd:element name="echoBack" type="xsd:string" minOccurs="1" maxOccurs="1" nillable="true"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="connectivityTestResponseType">
        <xsd:sequence>
          <xsd:element name="return" type="xsd:string" minOccurs="1" maxOccurs="1" nillable="true"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="submitSingleMessageRequestType">
        <xsd:sequence>
          <xsd:element name="username" type="xsd:string" minOccurs="0" maxOccurs="1" nillable="true"/>
          <xsd:element name="password" type="xsd:string" minOccurs="0" maxOccurs="1" nillable="true"/>
          <xsd:element name="facilityID" type="xsd:string" minOccurs="0" maxOccurs="1" nillable="true"/>
          <xsd:element name="hl7Message" type="xsd:string" minOccurs="0" maxOccurs="1" nillable="true"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="submitSingleMessageResponseType">
        <xsd:sequence>
          <xsd:element name="return" type="xsd:string" minOccurs="0" maxOccurs="1" nillable="true"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="soapFaultType">
        <xsd:sequence>
          <xsd:element name="Code" type="xsd:integer" minOccurs="0"/>
          <xsd:element name="Reason" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Detail" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="UnsupportedOperationFaultType">
        <xsd:sequence>
          <xsd:element name="Code" type="xsd:integer" minOccurs="0"/>
          <xsd:element name="Reason" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Detail" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="SecurityFaultType">
        <xsd:sequence>
          <xsd:element name="Code" type="xsd:integer" minOccurs="0"/>
          <xsd:element name="Reason" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Detail" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="MessageTooLargeFaultType">
        <xsd:sequence>
          <xsd:element name="Code" type="xsd:integer" minOccurs="0"/>
          <xsd:element name="Reason" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Detail" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Size" type="xsd:integer" minOccurs="0"/>
          <xsd:element name="MaxSize" type="xsd:integer" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:element name="connectivityTest" type="tns:connectivityTestRequestType"/>
      <xsd:element name="connectivityTestResponse" type="tns:connectivityTestResponseType"/>
      <xsd:element name="submitSingleMessage" type="tns:submitSingleMessageRequestType"/>
      <xsd:element name="submitSingleMessageResponse" type="tns:submitSingleMessageResponseType"/>
      <xsd:element name="fault" type="tns:soapFaultType"/>
      <xsd:element name="UnsupportedOperationFault" type="tns:UnsupportedOperationFaultType"/>
      <xsd:element name="SecurityFault" type="tns:SecurityFaultType"/>
      <xsd:element name="MessageTooLargeFault" type="tns:MessageTooLargeFaultType"/>
    </xsd:schema>
  </types>

  <message name="connectivityTest_Message">
    <part name="parameters" element="tns:connectivityTest"/>
  </message>
  <message name="connectivityTestResponse_Message">
    <part name="parameters" element="tns:connectivityTestResponse"/>
  </message>
  <message name="submitSingleMessage_Message">
    <part name="parameters" element="tns:submitSingleMessage"/>
  </message>
  <message name="submitSingleMessageResponse_Message">
    <part name="parameters" element="tns:submitSingleMessageResponse"/>
  </message>
  <message name="UnknownFault_Message">
    <part name="fault" element="tns:fault"/>
  </message>
  <message name="UnsupportedOperationFault_Message">
    <part name="fault" element="tns:UnsupportedOperationFault"/>
  </message>
  <message name="SecurityFault_Message">
    <part name="fault" element="tns:SecurityFault"/>
  </message>
  <message name="MessageTooLargeFault_Message">
    <part name="fault" element="tns:MessageTooLargeFault"/>
  </message>

  <portType name="IIS_PortType">
    <operation name="connectivityTest">
      <documentation>Echoes echoBack: proves the endpoint answers without sending any data.</documentation>
      <input message="tns:connectivityTest_Message" wsaw:Action="urn:cdc:iisb:2011:connectivityTest"/>
      <output message="tns:connectivityTestResponse_Message" wsaw:Action="urn:cdc:iisb:2011:connectivityTestResponse"/>
      <fault name="UnknownFault" message="tns:UnknownFault_Message"/>
      <fault name="UnsupportedOperationFault" message="tns:UnsupportedOperationFault_Message"/>
    </operation>
    <operation name="submitSingleMessage">
      <documentation>Takes one HL7 v2 message (VXU, QBP) and returns its HL7 v2 response (ACK, RSP) in return.</documentation>
      <input message="tns:submitSingleMessage_Message" wsaw:Action="urn:cdc:iisb:2011:submitSingleMessage"/>
      <output message="tns:submitSingleMessageResponse_Message" wsaw:Action="urn:cdc:iisb:2011:submitSingleMessageResponse"/>
      <fault name="UnknownFault" message="tns:UnknownFault_Message"/>
      <fault name="SecurityFault" message="tns:SecurityFault_Message"/>
      <fault name="MessageTooLargeFault" message="tns:MessageTooLargeFault_Message"/>
    </operation>
  </portType>

  <binding name="client_Binding_Soap12" type="tns:IIS_PortType">
    <soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="connectivityTest">
      <soap12:operation soapAction="urn:cdc:iisb:2011:connectivityTest" style="document"/>
      <input><soap12:body use="literal"/></input>
      <output><soap12:body use="literal"/></output>
      <fault name="UnknownFault"><soap12:fault name="UnknownFault" use="literal"/></fault>
      <fault name="UnsupportedOperationFault"><soap12:fault name="UnsupportedOperationFault" use="literal"/></fault>
    </operation>
    <operation name="submitSingleMessage">
      <soap12:operation soapAction="urn:cdc:iisb:2011:submitSingleMessage" style="document"/>
      <input><soap12:body use="literal"/></input>
      <output><soap12:body use="literal"/></output>
      <fault name="UnknownFault"><soap12:fault name="UnknownFault" use="literal"/></fault>
      <fault name="SecurityFault"><soap12:fault name="SecurityFault" use="literal"/></fault>
      <fault name="MessageTooLargeFault"><soap12:fault name="MessageTooLargeFault" use="literal"/></fault>
    </operation>
  </binding>

  <service name="client_Service">
    <port name="client_Port_Soap12" binding="tns:client_Binding_Soap12">
      <soap12:address location="__LOCATION__"/>
    </port>
  </service>
</definitions>
`;

/** The WSDL at {@link DEFAULT_WSDL_LOCATION}; serve {@link cdcIisWsdl} with the real address where it is known. */
export const CDC_IIS_WSDL: string = cdcIisWsdl();
