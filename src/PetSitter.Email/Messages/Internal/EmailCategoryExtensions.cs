namespace PetSitter.Email.Messages;

/// <summary>Helpers for <see cref="EmailCategory"/>.</summary>
internal static class EmailCategoryExtensions
{
    /// <summary>
    /// Returns <see langword="true"/> for the direct categories (<see cref="EmailCategory.Marketing"/> and
    /// <see cref="EmailCategory.General"/>): the mail that "Only Use for Direct Emails" keeps on SMTP.
    /// </summary>
    /// <param name="category">The category to test.</param>
    /// <returns>Whether the category is a direct category.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="category"/> is not a defined category.</exception>
    public static bool IsDirect(this EmailCategory category) => category switch
    {
        EmailCategory.Marketing or EmailCategory.General => true,
        EmailCategory.Quote or EmailCategory.Invoice or EmailCategory.AccountSummary or EmailCategory.SystemNotification => false,
        _ => throw UndefinedCategory(category, nameof(category)),
    };

    /// <summary>Returns whether <paramref name="category"/> is one of the six defined categories.</summary>
    /// <param name="category">The category to test.</param>
    /// <returns><see langword="true"/> when the value is defined.</returns>
    public static bool IsDefined(this EmailCategory category) =>
        category is >= EmailCategory.Marketing and <= EmailCategory.SystemNotification;

    internal static ArgumentOutOfRangeException UndefinedCategory(EmailCategory category, string paramName) =>
        new(paramName, category, $"'{(int)category}' is not an EmailCategory. Use one of Marketing, General, Quote, Invoice, AccountSummary or SystemNotification.");
}
