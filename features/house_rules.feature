Feature: House rules hide abuse, never a complaint
  Deleting a complaint is as bad as ignoring it, or worse: screenshots exist, and everything
  posted in public stays public. A brand publishes house rules beside its hours and may hide
  what breaks them (abuse, spam, other people's personal data), on the record: which post,
  under which rule, by whom. The complaint and the customer's own posts are never hidden.

  Scenario: Spam in a complaint's thread is hidden under the house rules, on the record
    Given the brand under test
    And a complaint from "@jana": "My order never came"
    When "eva" hides the post "post-77" under "spam"
    Then the history records "hide" by "eva"
    And the case is still "new"

  Scenario: The complaint itself is never hidden
    Given the brand under test
    And a complaint from "@jana": "My order never came"
    When "eva" tries to hide the complaint under "abuse"
    Then it is refused because "never hide or delete a complaint"
    And every event of the case is still in its history

  Scenario: Only a rule the brand declares hides a post
    Given the brand "bistro"
    And a complaint from "@jana": "Cold soup"
    When "eva" hides the post "post-78" under "rude"
    Then it is refused because "hides nothing under 'rude'"
