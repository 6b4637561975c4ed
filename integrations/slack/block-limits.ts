/**
 * Slack's documented limits for messages, shared with the renderer so that what it cuts and what is checked agree.
 * Each number's source is beside it.
 */
export const SLACK_LIMITS = {
  /** "You can include up to 50 blocks in each message": docs.slack.dev/reference/block-kit/blocks */
  messageBlocks: 50,
  /** Header text, plain_text only, "Maximum length … is 150 characters": …/blocks/header-block */
  headerText: 150,
  /** Section text, "Minimum length … is 1 and maximum length is 3000 characters": …/blocks/section-block */
  sectionText: 3000,
  /** Section fields, "Maximum number of items is 10": …/blocks/section-block */
  sectionFields: 10,
  /** Each section field, "Maximum length for the text in each item is 2000 characters": …/blocks/section-block */
  fieldText: 2000,
  /** Context elements, "Maximum number of items is 10": …/blocks/context-block */
  contextElements: 10,
  /** Actions elements, "There is a maximum of 25 elements in each action block": …/blocks/actions-block */
  actionsElements: 25,
  /** Any text object, "The minimum length is 1 and maximum length is 3000": …/composition-objects/text-object */
  textObject: 3000,
  /** Button text, plain_text only, "Maximum length … is 75 characters": …/block-elements/button-element */
  buttonText: 75,
  /** Button value, "Maximum length is 2000 characters": …/block-elements/button-element */
  buttonValue: 2000,
  /** Button url, "Maximum length is 3000 characters": …/block-elements/button-element */
  buttonUrl: 3000,
  /** Button accessibility_label, "Maximum length … is 75 characters": node-slack-sdk's `Button` type reference */
  buttonAccessibilityLabel: 75,
  /** action_id, "Maximum length is 255 characters": …/block-elements/button-element */
  actionId: 255,
  /** block_id, "Maximum length for this field is 255 characters" (every block's reference page) */
  blockId: 255,
  /** Data visualization title, "Maximum 50 characters": …/blocks/data-visualization-block */
  chartTitle: 50,
  /** Series of a line, bar or area chart, "Min 1, max 6" (the stricter of the page's two published versions) */
  chartSeries: 6,
  /** Data points of a series, "Min 1, max 20. Must contain exactly one entry for every label in axis_config.categories" */
  chartPoints: 20,
  /** A series name, a category, a data point's label, a pie segment's label: "Maximum 20 characters" */
  chartLabel: 20,
  /** Axis titles (x_label, y_label), "Maximum of 50 characters" */
  chartAxisLabel: 50,
  /** "There is a limit of 2 data visualization blocks per message" */
  chartsPerMessage: 2,
  /** Pie segments, "Min 1, max 6" (the stricter version) */
  pieSegments: 6,
  /** "You can include … 100 blocks in modals or Home tabs": docs.slack.dev/reference/block-kit/blocks */
  homeBlocks: 100,
  /** A data table's rows, "a maximum of 101 rows (100 regular rows plus the header)" (the stricter version) */
  tableRows: 101,
  /** "You can have a minimum of 1 column and a maximum of 20 columns": …/blocks/data-table-block */
  tableColumns: 20,
  /** "A single table's character count across all cells cannot exceed 20,000 characters", and a message's tables' */
  tableCharacters: 20_000,
  /** page_size, "Min 1, Max 100" */
  tablePageSize: 100,
} as const;
