// Orders the fake ShipStation serves, shaped like the documented V1 and V2 responses. One order
// number per situation a caller can be in; tests and `npm run shipstation:fake` share them.

// ---------- API V1: orders, shipments, fulfillments ----------

let nextId = 100_000;

function v1Order(orderNumber: string, orderStatus: string, extra: Record<string, unknown> = {}) {
  const orderId = nextId++;
  return {
    orderId,
    orderNumber,
    orderKey: `key-${orderNumber}-${orderId}`,
    orderDate: "2025-06-29T08:46:27.0000000",
    createDate: "2025-06-29T08:46:27.0000000",
    modifyDate: "2025-06-30T10:01:02.0000000",
    paymentDate: orderStatus === "awaiting_payment" ? null : "2025-06-29T08:46:27.0000000",
    shipByDate: null,
    orderStatus,
    customerId: 37701499,
    customerUsername: "headhoncho@whitehouse.gov",
    customerEmail: "headhoncho@whitehouse.gov",
    billTo: { name: "The President", company: null, street1: null, street2: null, city: null, state: null, postalCode: null, country: null, phone: null, residential: null },
    shipTo: {
      name: "The President",
      company: "US Govt",
      street1: "1600 Pennsylvania Ave",
      street2: "Oval Office",
      city: "Washington",
      state: "DC",
      postalCode: "20500-0003",
      country: "US",
      phone: "555-555-5555",
      residential: true,
    },
    items: [{ orderItemId: orderId * 10, lineItemKey: "vd08-MSLbtx", sku: "ABC123", name: "Test item #1", quantity: 2, unitPrice: 99.99 }],
    orderTotal: 194.43,
    amountPaid: orderStatus === "awaiting_payment" ? 0 : 218.73,
    taxAmount: 5,
    shippingAmount: 10,
    customerNotes: null,
    internalNotes: null,
    gift: false,
    paymentMethod: "Credit Card",
    requestedShippingService: "Priority Mail",
    carrierCode: "fedex",
    serviceCode: "fedex_2day",
    packageCode: "package",
    confirmation: "delivery",
    shipDate: null,
    holdUntilDate: null,
    advancedOptions: { warehouseId: 98765, storeId: 12345, source: "Webstore" },
    ...extra,
  };
}

function v1Shipment(order: { orderId: number; orderNumber: string }, trackingNumber: string, extra: Record<string, unknown> = {}) {
  return {
    shipmentId: nextId++,
    orderId: order.orderId,
    orderKey: `key-${order.orderNumber}`,
    userId: "123456AB-ab12-3c45-de67-1234567890ab",
    orderNumber: order.orderNumber,
    createDate: "2025-07-01T08:46:27.0000000",
    shipDate: "2025-07-01",
    shipmentCost: 7.3,
    insuranceCost: 0,
    trackingNumber,
    isReturnLabel: false,
    batchNumber: "100301",
    carrierCode: "ups",
    serviceCode: "ups_ground",
    packageCode: "package",
    confirmation: "delivery",
    warehouseId: 98765,
    voided: false,
    voidDate: null,
    marketplaceNotified: true,
    notifyErrorMessage: null,
    shipTo: null,
    weight: { value: 1, units: "ounces", WeightUnits: 1 },
    dimensions: null,
    insuranceOptions: null,
    advancedOptions: null,
    shipmentItems: null,
    labelData: null,
    formData: null,
    ...extra,
  };
}

function v1Fulfillment(order: { orderId: number; orderNumber: string }, trackingNumber: string, extra: Record<string, unknown> = {}) {
  return {
    fulfillmentId: nextId++,
    orderId: order.orderId,
    orderNumber: order.orderNumber,
    userId: "123456AB-ab12-3c45-de67-1234567890ab",
    customerEmail: "headhoncho@whitehouse.gov",
    trackingNumber,
    createDate: "2025-07-02T08:46:27.0000000",
    shipDate: "2025-07-02T00:00:00.0000000",
    voidDate: null,
    deliveryDate: null,
    carrierCode: "fedex",
    sellingChannelPaymentId: null,
    fulfillmentProviderCode: null,
    fulfillmentServiceCode: null,
    fulfillmentFee: 0,
    voidRequested: false,
    voided: false,
    marketplaceNotified: true,
    notifyErrorMessage: null,
    shipTo: null,
    ...extra,
  };
}

const shippedWithVoid = v1Order("1005", "shipped", { shipDate: "2025-07-01" });
// Newer than 1005, so it comes first when the orders are read newest first.
const prefixTrap = v1Order("10050", "cancelled", { orderDate: "2025-07-10T10:00:00.0000000" });
const fulfillmentOnly = v1Order("1008", "shipped");
const splitOld = v1Order("1009", "shipped", { orderDate: "2025-05-02T09:00:00.0000000" });
const splitNew = v1Order("1009", "awaiting_shipment", { orderDate: "2025-06-20T09:00:00.0000000" });
const allVoided = v1Order("1010", "shipped");

export const V1 = {
  orders: [
    v1Order("1001", "awaiting_payment"),
    v1Order("1002", "awaiting_shipment", { shipByDate: "2025-07-03T00:00:00.0000000", shipTo: { ...v1Order("x", "x").shipTo, postalCode: "78756-3717" } }),
    v1Order("1003", "pending_fulfillment"),
    v1Order("1004", "on_hold", { holdUntilDate: "2025-07-15" }),
    shippedWithVoid,
    prefixTrap,
    v1Order("1006", "cancelled"),
    v1Order("1007", "rejected_fulfillment"),
    fulfillmentOnly,
    splitOld,
    splitNew,
    allVoided,
  ],
  shipments: [
    v1Shipment(shippedWithVoid, "9400111899223197428490", { carrierCode: "stamps_com", serviceCode: "usps_priority_mail", voided: true, voidDate: "2025-07-01T09:00:00.0000000", shipDate: "2025-06-30" }),
    v1Shipment(shippedWithVoid, "1Z999AA10123456784"),
    v1Shipment(splitOld, "1Z999AA10123450001", { shipDate: "2025-05-03" }),
    v1Shipment(allVoided, "1Z999AA10123459999", { voided: true, voidDate: "2025-07-01T09:00:00.0000000" }),
  ],
  fulfillments: [
    // Marked shipped with a mistyped number, voided, then marked again.
    v1Fulfillment(fulfillmentOnly, "783867014499", { voided: true, voidDate: "2025-07-02T09:00:00.0000000", shipDate: "2025-07-03T00:00:00.0000000" }),
    v1Fulfillment(fulfillmentOnly, "783867014420"),
  ],
};

// ---------- API V2: shipments, labels ----------

// The OpenAPI spec requires ship_from and return_to as addresses (a warehouse's, here).
const WAREHOUSE = {
  name: "Shipping Dept",
  phone: "512-555-0100",
  company_name: "Example Store",
  address_line1: "4009 Marathon Blvd",
  address_line2: null,
  city_locality: "Austin",
  state_province: "TX",
  postal_code: "78756",
  country_code: "US",
  address_residential_indicator: "no",
};

function v2Shipment(shipmentNumber: string, status: string, extra: Record<string, unknown> = {}) {
  const id = `se-${nextId++}`;
  return {
    shipment_id: id,
    carrier_id: "se-1234567",
    service_code: "usps_priority_mail",
    requested_shipment_service: "usps_priority_mail",
    external_order_id: `EXT-${shipmentNumber}`,
    hold_until_date: null,
    ship_by_date: null,
    items: [{ name: "Test item #1", sales_order_id: null, sales_order_item_id: null, quantity: 2 }],
    external_shipment_id: null,
    shipment_number: shipmentNumber,
    ship_date: "2025-07-01",
    created_at: "2025-06-29T08:46:27.000Z",
    modified_at: "2025-06-30T10:01:02.000Z",
    shipment_status: status,
    ship_to: {
      name: "Amanda Miller",
      phone: "555-555-5555",
      company_name: null,
      address_line1: "525 S Winchester Blvd",
      address_line2: null,
      city_locality: "San Jose",
      state_province: "CA",
      postal_code: "95128",
      country_code: "US",
      address_residential_indicator: "yes",
    },
    ship_from: WAREHOUSE,
    warehouse_id: "se-1234",
    return_to: WAREHOUSE,
    confirmation: "none",
    customs: null,
    advanced_options: {},
    insurance_provider: "none",
    tags: [],
    packages: [{ package_code: "package", weight: { value: 3, unit: "ounce" } }],
    total_weight: { value: 3, unit: "ounce" },
    ...extra,
  };
}

function v2Label(shipment: { shipment_id: string }, trackingNumber: string, extra: Record<string, unknown> = {}) {
  return {
    label_id: `se-${nextId++}`,
    status: "completed",
    shipment_id: shipment.shipment_id,
    ship_date: "2025-07-01T00:00:00Z",
    created_at: "2025-07-01T08:00:00.000Z",
    shipment_cost: { currency: "usd", amount: 7.3 },
    insurance_cost: { currency: "usd", amount: 0 },
    tracking_number: trackingNumber,
    is_return_label: false,
    rma_number: null,
    is_international: false,
    carrier_id: "se-1234567",
    service_code: "usps_priority_mail",
    package_code: "package",
    voided: false,
    voided_at: null,
    label_format: "pdf",
    display_scheme: "label",
    label_layout: "4x6",
    trackable: true,
    label_image_id: null,
    carrier_code: "stamps_com",
    tracking_status: "in_transit",
    label_download: { href: "https://api.shipstation.com/v2/downloads/1/label.pdf" },
    form_download: null,
    insurance_claim: null,
    packages: [],
    charge_event: "carrier_default",
    tracking_url: `https://tools.usps.com/go/TrackConfirmAction?tLabels=${trackingNumber}`,
    ...extra,
  };
}

const v2Shipped = v2Shipment("2003", "label_purchased");
const v2Delivered = v2Shipment("2006", "label_purchased", { created_at: "2025-06-01T08:00:00.000Z" });
const v2SplitOld = v2Shipment("2005", "label_purchased", { created_at: "2025-05-02T09:00:00.000Z" });
const v2SplitNew = v2Shipment("2005", "pending", { created_at: "2025-06-20T09:00:00.000Z" });

export const V2 = {
  shipments: [
    v2Shipment("2001", "pending", { ship_by_date: "2025-07-03T00:00:00.000Z" }),
    v2Shipment("2002", "pending", { hold_until_date: "2099-01-15T00:00:00.000Z" }),
    v2Shipped,
    v2Shipment("20030", "cancelled", { created_at: "2025-07-10T10:00:00.000Z" }),
    v2Shipment("2004", "cancelled"),
    v2SplitOld,
    v2SplitNew,
    v2Delivered,
    v2Shipment("2007", "processing"),
  ],
  labels: [
    // Bought, voided, bought again: the second label is the one on its way.
    v2Label(v2Shipped, "9400111899223197420000", { voided: true, voided_at: "2025-07-01T09:00:00.000Z", status: "voided", created_at: "2025-07-01T07:00:00.000Z" }),
    v2Label(v2Shipped, "9400111899223197428490"),
    v2Label(v2SplitOld, "9400111899223197421111", { ship_date: "2025-05-03T00:00:00Z" }),
    v2Label(v2Delivered, "1Z999AA10123456784", { carrier_code: "ups", service_code: "ups_ground", tracking_status: "delivered", tracking_url: null }),
  ],
};

/** The documented example credentials (V1 docs: key "ShipStation", secret "Rocks"). */
export const V1_KEY = "ShipStation";
export const V1_SECRET = "Rocks";
export const V2_KEY = "TEST_fake_v2_key";
