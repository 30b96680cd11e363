throw new Error('this plugin must not be imported by discovery');
