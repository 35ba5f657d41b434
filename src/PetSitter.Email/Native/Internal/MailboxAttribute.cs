using System.ComponentModel.DataAnnotations;

namespace PetSitter.Email.Native;

/// <summary>
/// A plain mailbox by the library's own address rules (<see cref="EmailAddressRules.IsMailbox"/>):
/// DataAnnotations' <c>[EmailAddress]</c> accepts anything with one '@', display names and line breaks included.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
internal sealed class MailboxAttribute : ValidationAttribute
{
    // A missing value is [Required]'s to report.
    public override bool IsValid(object? value) => value is null || (value is string text && EmailAddressRules.IsMailbox(text));
}
